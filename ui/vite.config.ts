/**
 * Builds the web console into dist/ui, which the server serves at `/`. Run from the package root by
 * `npm run build`. `npm run dev:ui` serves it with hot reload and sends `/api` and `/v1` to a
 * Fener on FENER_URL (default http://127.0.0.1:4000).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = process.env.FENER_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': target, '/v1': target } },
});
