import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  // Component styles travel inside their script (the CSP below allows inline styles): a meeting page
  // would otherwise fetch seven small stylesheets first, each a round trip on a slow link, and the
  // editor's styles now come with the editor's chunk.
  compilerOptions: { runes: true, css: 'injected' },
  kit: {
    // apps/server imports build/handler.js and serves the pages beside the API on one port.
    adapter: adapter({ out: 'build' }),
    // A few chunks (see vite.config.ts): the editor and other pages' code load when needed.
    output: { bundleStrategy: 'split' },
    // Content-Security-Policy of every page: scripts only from here, the boot script by nonce (no
    // 'unsafe-inline' scripts). Styles allow inline attributes: Svelte's style: directives and the
    // editor (ProseMirror) set them. frame-ancestors: see src/hooks.server.ts (the public board may
    // be embedded, nothing else may be framed).
    csp: {
      mode: 'auto',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        'font-src': ['self', 'data:'],
        'connect-src': ['self'],
        'worker-src': ['self'],
        'manifest-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
  },
};

export default config;
