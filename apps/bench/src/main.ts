// pnpm bench: starts the production build, runs every scenario with clients in worker processes,
// writes results/<timestamp>.json and prints the table.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@yishi/db/testing';
import { BenchContext } from './context.ts';
import { parseOptions, type Options } from './options.ts';
import { WorkerPool } from './pool.ts';
import { benchResults, SCENARIOS, type BenchResults, type ScenarioName, type ScenarioResult } from './results.ts';
import { buildServer, startYishi, type Storage } from './servers.ts';
import { coldLoad } from './scenarios/coldLoad.ts';
import { fanout } from './scenarios/fanout.ts';
import { hostile } from './scenarios/hostile.ts';
import { join as joinScenario } from './scenarios/join.ts';
import { minutes } from './scenarios/minutes.ts';
import { rooms } from './scenarios/rooms.ts';
import { votes } from './scenarios/votes.ts';
import { IDEAS_TARGET, ideas } from './scenarios/ideas.ts';
import { RANKING_TARGET, ranking } from './scenarios/ranking.ts';
import { FIRST_LOAD_TARGET, firstLoad } from './scenarios/firstLoad.ts';
import { EDITOR_LATENCY_TARGET, editorLatency } from './scenarios/editorLatency.ts';
import { formatTable } from './table.ts';

const RUNNERS: Record<ScenarioName, (ctx: BenchContext) => Promise<ScenarioResult>> = { fanout, join: joinScenario, hostile, rooms, votes, coldLoad, minutes, ideas, ranking, firstLoad, editorLatency };
const TARGETS: Record<ScenarioName, string> = {
  fanout: 'p99 ≤ 25 ms at the largest size; p99 ratio yishi/baseline ≤ 1.0',
  join: 'p99 first sync ≤ 2× the stock server',
  hostile: '/healthz p99 ≤ 50 ms while one guest floods',
  rooms: 'all connected, RSS ≤ 1536 MB, p99 ≤ 50 ms',
  votes: '0 lost, 0 duplicated, ack p99 ≤ 300 ms',
  coldLoad: 'first sync ≤ 150 ms',
  minutes: 'DOCX export ≤ 500 ms',
  ideas: IDEAS_TARGET,
  ranking: RANKING_TARGET,
  firstLoad: FIRST_LOAD_TARGET,
  editorLatency: EDITOR_LATENCY_TARGET,
};

/** Runs the selected scenarios; a scenario that throws is reported as an error, the rest still run. */
export async function runBench(options: Options): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const machine = { cpus: cpus().length, node: process.version, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) };
  if (options.build) await buildServer();
  const cpuProfDir = options.cpuProf ? join(options.out, 'profiles') : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });

  let testDb: TestDatabase | null = null;
  let dataDir: string | null = null;
  let storage: Storage;
  if (process.env.DATABASE_URL) {
    testDb = await createTestDatabase();
    storage = { databaseUrl: testDb.url! };
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'yishi-bench-'));
    storage = { dataDir };
  }
  const pool = WorkerPool.start(options.workers);
  const scenarios: ScenarioResult[] = [];
  let ctx: BenchContext | null = null;
  try {
    const server = await startYishi(storage, { cpuProfDir });
    ctx = new BenchContext(options, pool, server, storage, testDb, cpuProfDir);
    for (const name of options.only) {
      ctx.log(`${name}…`);
      const started = performance.now();
      try {
        scenarios.push(await RUNNERS[name](ctx));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        ctx.log(`${name} failed: ${error instanceof Error ? error.stack : reason}`);
        scenarios.push({ scenario: name, status: 'error', reason, target: TARGETS[name], verdict: 'n/a', verdictNote: '', rows: [] });
      }
      ctx.log(`${name} done in ${Math.round((performance.now() - started) / 1000)} s`);
    }
  } finally {
    await ctx?.stop();
    await pool.close();
    await testDb?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  return benchResults.parse({
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    database: testDb ? 'postgres' : 'pglite',
    machine,
    scenarios,
  });
}

/**
 * Writes results/<timestamp>.json, and latest.json only for a full run of every scenario: a run
 * with --only (suffix -partial) or --quick never replaces the committed full results.
 */
export function writeResults(results: BenchResults, out: string): string {
  mkdirSync(out, { recursive: true });
  const complete = SCENARIOS.every((name) => results.scenarios.some((s) => s.scenario === name));
  const suffix = results.mode === 'quick' ? '-quick' : complete ? '' : '-partial';
  const file = join(out, `${results.startedAt.replace(/[:.]/g, '-')}${suffix}.json`);
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, json);
  if (results.mode === 'full' && complete) writeFileSync(join(out, 'latest.json'), json);
  return file;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const results = await runBench(options);
  const file = writeResults(results, options.out);
  console.log(`\n${formatTable(results)}\n`);
  console.log(`results: ${file}${options.cpuProf ? `\nCPU profiles: ${join(options.out, 'profiles')}` : ''}`);
  process.exit(results.scenarios.some((s) => s.status === 'error') ? 1 : 0);
}
