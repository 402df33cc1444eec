import type { BenchResults } from './results.ts';

const fmt = (v: number | undefined, digits = 1) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits));

/** The results as a plain-text table, one line per case, then each scenario's target and verdict. */
export function formatTable(results: BenchResults): string {
  const header = ['scenario', 'case', 'server', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'throughput', 'CPU %', 'RSS MB', 'notes'];
  const lines: string[][] = [header];
  for (const s of results.scenarios) {
    if (!s.rows.length) lines.push([s.scenario, '–', '–', '', '', '', '', '', '', '', s.status === 'ok' ? '' : `${s.status}: ${s.reason ?? ''}`]);
    for (const r of s.rows) {
      const notes = Object.entries(r.extra)
        .filter(([k]) => ['missing', 'lost', 'duplicated', 'refused', 'p50Ratio', 'p95Ratio', 'p99Ratio', 'everywhereP99', 'chromiumCpuPercent', 'idleChromiumCpuPercent', 'chromiumCpuMsPerEditPerPage', 'editsPerSecond', 'machineBusyPercent', 'loadAvg1', 'synced', 'incomplete', 'firstMs', 'castSpanMs', 'failure'].includes(k))
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      lines.push([
        s.scenario,
        r.case,
        r.server,
        String(r.latency?.n ?? ''),
        fmt(r.latency?.p50),
        fmt(r.latency?.p95),
        fmt(r.latency?.p99),
        r.throughput ? `${r.throughput.value} ${r.throughput.unit}` : '',
        fmt(r.usage?.cpuPercent, 0),
        fmt(r.usage?.rssMaxMb, 0),
        notes,
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const render = (l: string[]) => l.map((cell, i) => (i === l.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [render(lines[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(render), ''];
  for (const s of results.scenarios) {
    const verdict = s.status === 'ok' ? s.verdict.toUpperCase() : `${s.status.toUpperCase()}: ${s.reason ?? ''}`;
    out.push(`${s.scenario.padEnd(9)} target: ${s.target}`);
    out.push(`${''.padEnd(9)} verdict: ${verdict}${s.verdictNote ? ` — ${s.verdictNote}` : ''}`);
  }
  return out.join('\n');
}
