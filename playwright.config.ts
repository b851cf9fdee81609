/**
 * Playwright e2e config: Debian Chromium with WebGPU (Dawn over SwiftShader, see
 * shared/docs/BROWSER_TESTING.md), one worker (2-core CI). Two servers: a local stand-in for the
 * CIFAR-100 archive host, and the built app (`VITE_LAB_DEBUG=1 vite build && vite preview`: the
 * build keeps the `window.__lab` debug hooks the tests use) whose /download proxy points at it
 * through CIFAR_ARCHIVE_URL.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/chromium';

const APP_PORT = Number(process.env.E2E_APP_PORT ?? 4173);
const ARCHIVE_PORT = Number(process.env.E2E_ARCHIVE_PORT ?? 4180);
const reuse = !process.env.CI && process.env.E2E_REUSE === '1';
// E2E_DEV=1 tests against the dev server instead of the production build.
const appCommand =
  process.env.E2E_DEV === '1'
    ? `npx vite --host 127.0.0.1 --port ${APP_PORT} --strictPort`
    : `VITE_LAB_DEBUG=1 npx vite build && npx vite preview --host 127.0.0.1 --port ${APP_PORT} --strictPort`;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
  },
  webServer: [
    {
      command: `npx tsx e2e/fixtures/archive-server.ts ${ARCHIVE_PORT}`,
      url: `http://127.0.0.1:${ARCHIVE_PORT}/health`,
      reuseExistingServer: reuse,
      timeout: 30_000,
    },
    {
      command: appCommand,
      url: `http://127.0.0.1:${APP_PORT}/`,
      reuseExistingServer: reuse,
      timeout: 240_000,
      env: { CIFAR_ARCHIVE_URL: `http://127.0.0.1:${ARCHIVE_PORT}/cifar-100-binary.tar.gz` },
    },
  ],
});
