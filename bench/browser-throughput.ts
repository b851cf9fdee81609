/**
 * Chromium part of the throughput benchmark: the lab's own worker measures train / eval
 * throughput on each backend through the page's `window.__lab.benchmark` hook.
 */
import type { ThroughputResult } from '../src/core/bench/throughput';
import type { BrowserApp } from './browser-app';
import type { BenchResults } from './report';

const BACKENDS = ['webgpu', 'wasm', 'cpu'] as const;
const CASES = [
  { model: 'tiny', batchSize: 64 },
  { model: 'pyramidnet-bottleneck-20-a48', batchSize: 32 },
] as const;
/** WebGPU over SwiftShader and the cpu backend take seconds to minutes per step. */
const STEPS = { webgpu: 2, wasm: 5, cpu: 2 } as const;

type Hook = { benchmark: (x: object) => Promise<ThroughputResult> };

async function runCase(
  app: BrowserApp,
  backend: (typeof BACKENDS)[number],
  c: (typeof CASES)[number],
): Promise<ThroughputResult> {
  const page = await app.open(backend, 'benchmark');
  try {
    const opts = { ...c, trainSteps: STEPS[backend], evalBatches: STEPS[backend] };
    return await page.evaluate(
      (o) => (window as unknown as { __lab: Hook }).__lab.benchmark(o),
      opts,
    );
  } finally {
    await page.close();
  }
}

export async function benchBrowserThroughput(
  app: BrowserApp,
  log: (s: string) => void,
): Promise<Pick<BenchResults, 'chromium' | 'chromiumErrors' | 'browser'>> {
  const chromiumResults: BenchResults['chromium'] = [];
  const chromiumErrors: BenchResults['chromiumErrors'] = [];
  for (const backend of BACKENDS) {
    for (const c of CASES) {
      log(`chromium ${backend} ${c.model}…`);
      try {
        const r = await runCase(app, backend, c);
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
  return {
    chromium: chromiumResults,
    chromiumErrors,
    browser: `Chromium ${app.browser.version()}`,
  };
}
