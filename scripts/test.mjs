// `pnpm test`: every test of the repo, ending with one line "N passed, N failed".
//  1. build (the browser journeys run against the production build), then type-check every package
//  2. vitest on embedded PGlite
//  3. vitest again on PostgreSQL when DATABASE_URL is set (each test makes and drops its own database)
//  4. Playwright in the system Chromium (CHROMIUM_PATH, else /usr/bin/chromium), skipped with a plain
//     message when there is none — except with CI=true, where nothing may be skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const outDir = join(process.cwd(), 'test-results');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function run(title, command, args, env) {
  console.log(`\n▶ ${title}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`\n◀ ${title}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.status ?? 1;
}

function countVitest(file, title, status) {
  if (!existsSync(file)) {
    problems.push(`${title}: no results (exit ${status})`);
    totals.failed += 1;
    return;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + r.numTodoTests;
  // A suite that failed to load counts as a failure even if it had no tests.
  const brokenFiles = r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
  totals.failed += brokenFiles;
  if (status !== 0 && r.numFailedTests + brokenFiles === 0) {
    problems.push(`${title}: exit ${status}`);
    totals.failed += 1;
  }
}

const buildStatus = run('build', 'pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
if (buildStatus !== 0) {
  console.log('\nbuild failed\n0 passed, 1 failed');
  process.exit(1);
}

// Types and Svelte diagnostics of every package: a type error fails the run like a failed test.
if (run('type check (tsc, svelte-check)', 'pnpm', ['exec', 'turbo', 'run', 'check', '--output-logs=errors-only']) !== 0) {
  problems.push('type check failed');
  totals.failed += 1;
}

const { DATABASE_URL, ...withoutDb } = process.env;
// Multi-instance and fault tests (*.pg.test.ts) need a PostgreSQL server (and Redis): they run in the
// PostgreSQL pass only.
const engines = [['PGlite', { DATABASE_URL: '' }, ['--exclude', '**/*.pg.test.ts']]];
if (DATABASE_URL) engines.push(['PostgreSQL', { DATABASE_URL }, []]);
else console.log('\nDATABASE_URL is not set: the suite runs on embedded PGlite only (multi-instance and fault tests need it).');
void withoutDb;

for (const [engine, env, extra] of engines) {
  const file = join(outDir, `vitest-${engine}.json`);
  const args = ['exec', 'vitest', 'run', ...extra, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`];
  // Server-process tests start the bundle just built instead of compiling sources on every start.
  const status = run(`vitest on ${engine}`, 'pnpm', args, { ...env, YISHI_TEST_BUNDLE: '1' });
  countVitest(file, `vitest on ${engine}`, status);
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(chromium)) {
  const file = join(outDir, 'playwright.json');
  const status = run('browser journeys (Playwright, Chromium)', 'pnpm', ['--filter', '@yishi/e2e', 'exec', 'playwright', 'test', '--reporter=list,json'], {
    CHROMIUM_PATH: chromium,
    PLAYWRIGHT_JSON_OUTPUT_NAME: file,
  });
  if (existsSync(file)) {
    const { stats } = JSON.parse(readFileSync(file, 'utf8'));
    totals.passed += stats.expected + stats.flaky;
    totals.failed += stats.unexpected;
    totals.skipped += stats.skipped;
    if (status !== 0 && stats.unexpected === 0) {
      problems.push(`playwright: exit ${status}`);
      totals.failed += 1;
    }
  } else {
    problems.push(`playwright: no results (exit ${status})`);
    totals.failed += 1;
  }
} else {
  console.log(`\nNo Chromium at ${chromium}: the browser journeys are SKIPPED (set CHROMIUM_PATH).`);
  totals.skipped += 1;
  if (ci) problems.push('CI=true but no Chromium: browser journeys cannot be skipped');
}

if (ci && totals.skipped > 0) {
  problems.push(`CI=true but ${totals.skipped} test(s) were skipped`);
  totals.failed += 1;
}
for (const p of problems) console.log(`problem: ${p}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
