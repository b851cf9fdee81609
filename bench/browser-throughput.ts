/**
 * Chromium part of the benchmark: the production build served by `vite preview`, Debian's
 * Chromium with WebGPU (SwiftShader here), and the lab's own worker measuring train / eval
 * throughput on each backend through the page's `window.__lab.benchmark` hook.
 */
import { chromium, type Browser } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';
import type { ThroughputResult } from '../src/core/bench/throughput';
import type { BenchResults } from './report';

const PORT = 4177; // not on the fetch "bad ports" list (4190 is)
const BACKENDS = ['webgpu', 'wasm', 'cpu'] as const;
const CASES = [
  { model: 'tiny', batchSize: 64 },
  { model: 'pyramidnet-bottleneck-20-a48', batchSize: 32 },
] as const;
/** WebGPU over SwiftShader and the cpu backend take seconds to minutes per step. */
const STEPS = { webgpu: 2, wasm: 5, cpu: 2 } as const;

async function startPreview(): Promise<ChildProcess> {
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { stdio: 'inherit' });
  const server = spawn(
    'npx',
    ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'],
    { stdio: 'ignore', detached: true },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) return server;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('vite preview did not start');
}

async function runCase(
  browser: Browser,
  backend: string,
  c: (typeof CASES)[number],
): Promise<ThroughputResult> {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${PORT}/?backend=${backend}`);
    await page.waitForFunction(() => 'benchmark' in ((window as { __lab?: object }).__lab ?? {}));
    const steps = STEPS[backend as keyof typeof STEPS];
    const opts = { ...c, trainSteps: steps, evalBatches: steps };
    return await page.evaluate(
      (o) =>
        (
          window as unknown as { __lab: { benchmark: (x: typeof o) => Promise<ThroughputResult> } }
        ).__lab.benchmark(o),
      opts,
    );
  } finally {
    await page.close();
  }
}

export async function benchBrowser(
  log: (s: string) => void,
): Promise<Pick<BenchResults, 'chromium' | 'chromiumErrors' | 'browser'>> {
  const server = await startPreview();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  const chromiumResults: BenchResults['chromium'] = [];
  const chromiumErrors: BenchResults['chromiumErrors'] = [];
  try {
    for (const backend of BACKENDS) {
      for (const c of CASES) {
        log(`chromium ${backend} ${c.model}…`);
        try {
          const r = await runCase(browser, backend, c);
          if (r.backend !== backend) throw new Error(`ran on ${r.backend}, not ${backend}`);
          log(
            `  step ${r.trainStepMs.toFixed(0)} ms, eval ${r.evalImagesPerSecond.toFixed(0)} img/s`,
          );
          chromiumResults.push(r);
        } catch (e) {
          const error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
          log(`  failed: ${error}`);
          chromiumErrors.push({ backend, model: c.model, error });
        }
      }
    }
    return { chromium: chromiumResults, chromiumErrors, browser: `Chromium ${browser.version()}` };
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}
