import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `pnpm --filter @yishi/server dev` listens here; the dev pages talk to it through this proxy.
const api = process.env.YISHI_DEV_API ?? 'http://127.0.0.1:3001';

/** The editor's libraries: one chunk, loaded when an agenda item is opened (see AgendaItem.svelte). */
const EDITOR = /\/node_modules\/(@tiptap\/|prosemirror-|y-prosemirror|orderedmap|rope-sequence|w3c-keyname|linkifyjs|@popperjs|tippy\.js)/;

/**
 * A few large chunks instead of ~50 small ones: over HTTP/1.1 (six connections) at 400 ms a round
 * trip, each handful of files costs a round trip (apps/bench firstLoad measures it). The libraries
 * every page needs go in one chunk, the editor in another; SvelteKit's runtime and our own code are
 * left to Rollup, which splits them by route.
 */
const LOCAL = /\/node_modules\/(qrcode|dijkstrajs|pngjs|diff|@internationalized)\//;

function manualChunks(id: string): string | undefined {
  if (!id.includes('/node_modules/') || id.includes('/@sveltejs/kit/')) return undefined;
  if (EDITOR.test(id)) return 'editor';
  // Libraries of a few pages only (QR codes, text diffs, dates): Rollup puts them with those pages.
  if (LOCAL.test(id)) return undefined;
  return 'vendor';
}

export default defineConfig({
  build: { rollupOptions: { output: { manualChunks, experimentalMinChunkSize: 40_000 } } },
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
