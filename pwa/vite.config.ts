/// <reference types="vitest/config" />
// Build of the web app: the page (Preact), and the service worker through vite-plugin-pwa in
// injectManifest mode, so the worker is our own code with Workbox's precache list injected.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  // JSX compiles to Preact's automatic runtime (no React, no preset plugin needed).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // `npm run dev`: the API comes from `make run`'s server.
  server: { proxy: { '/api': 'http://127.0.0.1:5000' } },
  build: {
    target: 'es2020',
    // Served by Flask with immutable caching under /assets/ (server/web.py).
    assetsDir: 'assets',
    sourcemap: false,
  },
  plugins: [
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      // The page registers the worker itself with workbox-window (src/app/update.ts), so it
      // can say "a new version is ready" rather than swap code under the person's feet.
      injectRegister: false,
      registerType: 'prompt',
      // Icons are precached by the glob below (once each); the plugin adds the manifest.
      includeManifestIcons: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,png,svg}'],
      },
      manifest: {
        name: 'Alongside',
        short_name: 'Alongside',
        description: 'Check in with yourself, and with your peer worker if you choose.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#f4f1e8',
        theme_color: '#0b5d5b',
        lang: 'en-GB',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: '/icons/maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
  },
});
