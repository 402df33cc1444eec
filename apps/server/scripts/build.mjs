// Bundles the server and our workspace packages (TypeScript sources) into dist/main.js;
// npm dependencies stay external and load from node_modules. Copies the migrations beside it.
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = new Set();
for (const dir of ['../package.json', '../../../packages/db/package.json', '../../../packages/auth/package.json', '../../../packages/model/package.json', '../../../packages/minutes/package.json']) {
  const p = JSON.parse(readFileSync(new URL(dir, import.meta.url), 'utf8'));
  for (const name of Object.keys({ ...p.dependencies })) if (!name.startsWith('@yishi/')) external.add(name);
}
void pkg;
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: [new URL('../src/main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/main.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  conditions: ['source'],
  external: [...external].flatMap((name) => [name, `${name}/*`]),
  logLevel: 'warning',
});
cpSync(new URL('../../../packages/db/migrations', import.meta.url), new URL('../dist/migrations', import.meta.url), { recursive: true });
