import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { benchResults, SCENARIOS } from './results.ts';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const out = mkdtempSync(join(tmpdir(), 'yishi-bench-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs `pnpm bench --quick` as CI would (own process, own server build), into a temp dir. */
function runQuick(): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', tsx, new URL('./main.ts', import.meta.url).pathname, '--quick', '--out', out],
      { timeout: 480_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

// No timed assertions: the numbers are the harness's business; this checks that it runs and tells the truth.
describe('pnpm bench --quick', () => {
  it('runs every scenario and writes well-formed results with no lost or duplicated ballots', async () => {
    const { code, output } = await runQuick();
    const files = readdirSync(out).filter((f) => f.endsWith('.json'));
    expect(files, output).toHaveLength(1);
    const results = benchResults.parse(JSON.parse(readFileSync(join(out, files[0]!), 'utf8')));

    expect(results.mode).toBe('quick');
    expect(results.scenarios.map((s) => s.scenario)).toEqual([...SCENARIOS]);
    for (const s of results.scenarios) {
      // A scenario may wait for a feature ("unavailable") but must never crash the harness.
      expect(s.status, `${s.scenario}: ${s.reason}`).not.toBe('error');
      if (s.status === 'unavailable') expect(s.reason).toBeTruthy();
      if (s.status === 'ok') {
        expect(s.rows.length).toBeGreaterThan(0);
        expect(['met', 'missed']).toContain(s.verdict);
        for (const row of s.rows) if (row.latency) expect(row.latency.n).toBeGreaterThan(0);
      }
    }
    const fanout = results.scenarios.find((s) => s.scenario === 'fanout')!;
    expect(fanout.rows.some((r) => r.server === 'baseline')).toBe(true);
    for (const row of fanout.rows) expect(row.extra.missing).toBe(0);

    const votes = results.scenarios.find((s) => s.scenario === 'votes')!;
    if (votes.status === 'ok') {
      const extra = votes.rows[0]!.extra;
      expect(extra.lost).toBe(0);
      expect(extra.duplicated).toBe(0);
      expect(extra.countsMatch).toBe(true);
    }
    expect(output).toContain('verdict:');
    expect(code, output).toBe(0);
  }, 540_000);
});
