import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    // apps/server imports build/handler.js and serves the pages beside the API on one port.
    adapter: adapter({ out: 'build' }),
  },
};

export default config;
