/**
 * The OSI-AI MicroNet .pth evaluated in Chromium's lab worker: the benchmark serves the checkpoint
 * and test.bin to the page through Playwright routes (same origin), and the worker's
 * `window.__lab.benchmarkCheckpoint` hook parses, builds and evaluates on the selected backend.
 */
import type { Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import type { CheckpointEvalBench } from '../src/core/bench/checkpoint-eval';
import { APP_URL, type BrowserApp } from './browser-app';
import type { OsiEvalRow } from './osi-eval';
import { OSI_PTH } from './osi-eval';
import { CIFAR_DIR } from './paths';

/** WebGPU over SwiftShader evaluates a few images per second: a slice there. */
const LIMITS = { wasm: 10_000, webgpu: 500 } as const;

type Hook = { benchmarkCheckpoint: (x: object) => Promise<CheckpointEvalBench> };

/** Serves local files to the page at `${APP_URL}/bench-files/…` (same origin; path → file). */
export async function serveBenchFiles(page: Page, files: Record<string, string>): Promise<void> {
  await page.context().route(`${APP_URL}/bench-files/*`, (route) => {
    const file = files[new URL(route.request().url()).pathname];
    return file ? route.fulfill({ body: fs.readFileSync(file) }) : route.abort();
  });
}

export async function benchOsiBrowser(
  app: BrowserApp,
  log: (s: string) => void,
): Promise<{ rows: OsiEvalRow[]; errors: string[] }> {
  const files: Record<string, string> = {
    '/bench-files/trained_model.pth': OSI_PTH,
    '/bench-files/test.bin': path.join(CIFAR_DIR, 'test.bin'),
  };
  const rows: OsiEvalRow[] = [];
  const errors: string[] = [];
  for (const backend of ['wasm', 'webgpu'] as const) {
    log(`chromium ${backend} OSI eval on ${LIMITS[backend]} images…`);
    const page = await app.open(backend, 'benchmarkCheckpoint');
    await serveBenchFiles(page, files);
    try {
      const req = {
        checkpointUrl: `${APP_URL}/bench-files/trained_model.pth`,
        testDataUrl: `${APP_URL}/bench-files/test.bin`,
        limit: LIMITS[backend],
        batchSize: 100,
      };
      const r = await page.evaluate(
        (o) => (window as unknown as { __lab: Hook }).__lab.benchmarkCheckpoint(o),
        req,
      );
      log(`  top-1 ${r.top1}, ${r.imagesPerSecond.toFixed(1)} img/s on ${r.backend}`);
      rows.push({ ...r, where: 'Chromium worker' });
    } catch (e) {
      const error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      log(`  failed: ${error}`);
      errors.push(`${backend}: ${error}`);
    } finally {
      await page.close();
    }
  }
  return { rows, errors };
}
