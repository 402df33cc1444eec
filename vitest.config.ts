import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['packages/*/src/**/*.test.ts', 'apps/server/src/**/*.test.ts', 'apps/bench/src/**/*.test.ts'],
        },
      },
      // The web app's logic, compiled by its own Vite plugins (Svelte runes, Paraglide).
      'apps/web/vitest.config.ts',
    ],
    pool: 'forks',
    // Two cores: more workers only thrash PGlite and argon2.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
