/**
 * The lab as the browser benchmarks see it: the production build served by `vite preview` and
 * Debian's Chromium with WebGPU (SwiftShader here), pages opened with `?backend=<name>`.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';

const PORT = 4177; // not on the fetch "bad ports" list (4190 is)
export const APP_URL = `http://127.0.0.1:${PORT}`;

async function startPreview(): Promise<ChildProcess> {
  // The hooks (window.__lab) exist only in a build with VITE_LAB_DEBUG=1 (src/protocol/lab-debug.ts).
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], {
    stdio: 'inherit',
    env: { ...process.env, VITE_LAB_DEBUG: '1' },
  });
  const server = spawn(
    'npx',
    ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'],
    { stdio: 'ignore', detached: true },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${APP_URL}/`)).ok) return server;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('vite preview did not start');
}

export interface BrowserApp {
  browser: Browser;
  /** A fresh page on `?backend=<backend>` whose `window.__lab[hook]` is ready. */
  open(backend: string, hook: string): Promise<Page>;
}

export async function withBrowserApp<T>(fn: (app: BrowserApp) => Promise<T>): Promise<T> {
  const server = await startPreview();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const open = async (backend: string, hook: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${APP_URL}/?backend=${backend}`);
    await page.waitForFunction((h) => h in ((window as { __lab?: object }).__lab ?? {}), hook);
    return page;
  };
  try {
    return await fn({ browser, open });
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}
