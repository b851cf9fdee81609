/**
 * Vite config for the MicroNet Lab browser app.
 * - React (automatic JSX runtime), ES-module workers (the lab worker uses top-level await).
 * - `build.minify: false`: multi-threaded tfjs wasm breaks under minification
 *   (see shared/docs/BROWSER_TESTING.md).
 * - Dev and preview servers proxy the same-origin route `/download/cifar-100-binary.tar.gz` to
 *   the official archive (its origin sends no CORS headers). `CIFAR_ARCHIVE_URL` overrides the
 *   target (the e2e tests point it at a local server).
 * - Served on 127.0.0.1: a secure context, which WebGPU requires.
 * - Cross-origin isolation (COOP/COEP) on both servers: SharedArrayBuffer, hence tfjs's
 *   multi-threaded wasm build. Static hosts need the same two headers (docs/DEPLOY.md).
 */
import { defineConfig, type ProxyOptions } from 'vite';
import react from '@vitejs/plugin-react';

const ARCHIVE_ROUTE = '/download/cifar-100-binary.tar.gz';
const DEFAULT_ARCHIVE_URL = 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz';

function archiveProxy(): Record<string, ProxyOptions> {
  const raw = process.env.CIFAR_ARCHIVE_URL ?? DEFAULT_ARCHIVE_URL;
  let target: URL;
  try {
    target = new URL(raw);
  } catch {
    throw new Error(`CIFAR_ARCHIVE_URL is not a valid URL: '${raw}'`);
  }
  return {
    [ARCHIVE_ROUTE]: {
      target: target.origin,
      changeOrigin: true,
      followRedirects: true,
      rewrite: () => `${target.pathname}${target.search}`,
    },
  };
}

/** Cross-origin isolation: lets the worker use SharedArrayBuffer (threaded wasm). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const TFJS_DEPS = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-backend-wasm',
];

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { minify: false, target: 'es2022', chunkSizeWarningLimit: 8000 },
  esbuild: { target: 'es2022' },
  // Pre-bundle what the worker imports too, so the dev server never re-optimises mid-session.
  optimizeDeps: {
    include: [...TFJS_DEPS, 'comlink', 'recharts', 'zustand'],
    esbuildOptions: { target: 'es2022' },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: archiveProxy(),
    headers: ISOLATION_HEADERS,
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    strictPort: true,
    proxy: archiveProxy(),
    headers: ISOLATION_HEADERS,
  },
});
