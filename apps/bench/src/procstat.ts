import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
