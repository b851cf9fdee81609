// Shared e2e helpers: console capture (page + workers) and the worker's debug hook.
import type { Page } from '@playwright/test';

export interface DebugInfo {
  tfBackend: string;
  adapter: { vendor: string; architecture: string; isFallbackAdapter: boolean } | null;
  numTensors: number;
}

/** Collects console lines of the page and of every worker it starts. */
export function captureConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`[page:${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[page:error] ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => lines.push(`[worker:${m.type()}] ${m.text()}`)));
  return lines;
}

/**
 * Counts the lab workers the page starts (1 + restarts); wasm's helper threads, which are workers
 * too when the page is cross-origin isolated, are not counted.
 */
export function countLabWorkers(page: Page): () => number {
  let n = 0;
  page.on('worker', (w) => {
    if (/lab\.worker/.test(w.url())) n++;
  });
  return () => n;
}

export function debugInfo(page: Page): Promise<DebugInfo> {
  return page.evaluate(() =>
    (window as unknown as { __lab: { debugInfo: () => Promise<DebugInfo> } }).__lab.debugInfo(),
  );
}

/** Lines that mean WebGPU silently fell back. */
export const WEBGPU_FAILURE = /No available adapters|Initialization of backend/;

/** Locators of the three panels (sections labelled by their headings). */
export function panels(page: Page) {
  return {
    data: page.getByRole('region', { name: /Data/ }),
    train: page.getByRole('region', { name: /Train/ }),
    evaluate: page.getByRole('region', { name: /Evaluate/ }),
  };
}

/** Picks a network and sets epochs / batch size in the Train panel. */
export async function configureTraining(
  page: Page,
  o: { model: string; epochs: number; batchSize: number; learningRate?: number },
): Promise<void> {
  const { train } = panels(page);
  await train.getByLabel('Network').selectOption(o.model);
  await train.getByLabel('Epochs').fill(String(o.epochs));
  await train.getByLabel('Batch size').fill(String(o.batchSize));
  if (o.learningRate !== undefined) {
    await train.getByLabel('Learning rate').fill(String(o.learningRate));
  }
}
