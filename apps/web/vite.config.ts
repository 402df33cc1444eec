import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `pnpm --filter @yishi/server dev` listens here; the dev pages talk to it through this proxy.
const api = process.env.YISHI_DEV_API ?? 'http://127.0.0.1:3001';

export default defineConfig({
  plugins: [
    paraglideVitePlugin({
      project: './project.inlang',
      outdir: './src/lib/paraglide',
      // No locale in URLs: the cookie the switcher writes, then the browser's languages.
      strategy: ['cookie', 'preferredLanguage', 'baseLocale'],
    }),
    sveltekit(),
  ],
  server: {
    proxy: {
      '/api': { target: api },
      '/healthz': { target: api },
      '/yjs': { target: api, ws: true },
      '/socket.io': { target: api, ws: true },
    },
  },
});
