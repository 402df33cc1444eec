import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (nearly always 100 on Linux). */
const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, i.e. 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size of a process in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** What a server process used during one measured phase. */
export interface ResourceUsage {
  /** CPU seconds over the phase. */
  cpuSeconds: number;
  /** Average CPU use over the phase in percent of one core. */
  cpuPercent: number;
  /** Highest sampled RSS in MB. */
  rssMaxMb: number;
  wallSeconds: number;
}

/** Samples a process's CPU time and RSS between start() and stop(). */
export class ResourceSampler {
  private readonly startCpu: number;
  private readonly startWall = performance.now();
  private maxRss: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 200,
  ) {
    this.startCpu = cpuSeconds(pid);
    this.maxRss = rssBytes(pid);
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    try {
      this.maxRss = Math.max(this.maxRss, rssBytes(this.pid));
    } catch {
      // The process is gone; stop() reports what was seen until then.
      clearInterval(this.timer);
    }
  }

  /** Stops sampling and returns the usage since construction. */
  stop(): ResourceUsage {
    clearInterval(this.timer);
    this.sample();
    const wallSeconds = (performance.now() - this.startWall) / 1000;
    let used = 0;
    try {
      used = cpuSeconds(this.pid) - this.startCpu;
    } catch {
      used = Number.NaN;
    }
    return {
      cpuSeconds: Math.round(used * 100) / 100,
      cpuPercent: Math.round((used / wallSeconds) * 1000) / 10,
      rssMaxMb: Math.round(this.maxRss / 1024 / 102.4) / 10,
      wallSeconds: Math.round(wallSeconds * 100) / 100,
    };
  }
}

/** The parent of a process (0 once it is gone). */
export function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 4 (ppid) is the second after the command name.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** A process's command line, arguments joined by spaces ('' once it is gone). */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** `pid` and every process below it (read from /proc; processes that come and go in between are missed). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(Number(entry));
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    tree.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return tree;
}

/** CPU seconds used so far by the processes of `pids` that are still there. */
export function treeCpuSeconds(pids: number[]): number {
  let sum = 0;
  for (const p of pids) {
    try {
      sum += cpuSeconds(p);
    } catch {
      // Exited.
    }
  }
  return sum;
}

/** The whole machine's CPU ticks from /proc/stat: busy (everything but idle and iowait) and total. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // user nice system idle iowait irq softirq steal; guest time is already inside user.
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}
