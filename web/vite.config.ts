// Vite builds web/ into web/dist, which `detente serve` serves at / (docs/dashboard.md).
// `npm run dev` proxies the API to DETENTE_API (default: the mock, `npm run mock`).
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2020' },
  server: {
    proxy: { '/api/v1': process.env.DETENTE_API ?? 'http://127.0.0.1:8787' },
  },
});
