// `pnpm start`: build whatever is missing or stale (turbo caches the rest), then run the one server
// process. If the server exits on its own with an error (it does so after an uncaught exception,
// see apps/server/src/main.ts), it is started again, so a meeting on a community laptop goes on;
// five crashes within a minute mean something is badly wrong, and then it stops.
import { spawnSync, spawn } from 'node:child_process';

const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let server;
let stopping = false;
const crashes = [];

function run() {
  server = spawn(process.execPath, ['--enable-source-maps', 'apps/server/dist/main.js'], { stdio: 'inherit' });
  server.on('exit', (code, signal) => {
    if (stopping || code === 0) process.exit(code ?? (signal ? 1 : 0));
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0] < now - 60_000) crashes.shift();
    if (crashes.length >= 5) {
      console.error('yishi stopped 5 times within a minute; not starting it again.');
      process.exit(code ?? 1);
    }
    console.error(`yishi exited (${signal ?? `code ${code}`}); starting it again in 1 s.`);
    setTimeout(run, 1000);
  });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    server.kill(signal);
  });
}
run();
