import { fileURLToPath } from 'node:url';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineProject } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Unit tests of the web app's logic (`src/**\/*.test.ts`): the Svelte plugin compiles the runes of
 * `.svelte.ts` modules and Paraglide the messages; `$lib` resolves as in the app. (SvelteKit's own
 * plugin reads its config from the working directory, which is the repository root here.) They
 * run in Node against a real server, through the server's own test harness, never a mock.
 */
export default defineProject({
  plugins: [
    paraglideVitePlugin({
      project: here('./project.inlang'),
      outdir: here('./src/lib/paraglide'),
      strategy: ['cookie', 'preferredLanguage', 'baseLocale'],
    }),
    svelte({ configFile: false, compilerOptions: { runes: true } }),
  ],
  resolve: { conditions: ['source'], alias: { $lib: here('./src/lib') } },
  test: {
    name: 'web',
    root: here('.'),
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
