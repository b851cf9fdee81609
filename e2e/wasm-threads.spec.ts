// The app is served cross-origin isolated (COOP/COEP), so wasm runs tfjs's multi-threaded SIMD
// build: the badge reports the thread count, and training and evaluation run on it. The threaded
// .wasm file must be the one fetched.
import { expect, test } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';
import { configureTraining, panels } from './helpers';

test('?backend=wasm: cross-origin isolated, threads in the badge, training runs', async ({
  page,
}) => {
  const files = writeSliceFiles(64, 20); // 8 steps at batch 8
  const wasmFiles: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasmFiles.push(r.url());
  });
  await page.goto('/?backend=wasm');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  const threads = badge.getByTestId('backend-threads');
  await expect(threads).toHaveAttribute('data-isolated', 'true');
  const n = Number(await threads.getAttribute('data-threads'));
  // tfjs sizes XNNPACK's pool at ⌊logical cores / 2⌋, clamped to 1..8 (its backend.cc).
  expect(n).toBe(Math.min(8, Math.max(1, Math.floor(cores / 2))));
  await expect(threads).toContainText(`${n} thread`);
  expect(wasmFiles.some((u) => /threaded-simd/.test(u))).toBe(true);

  const { data, train, evaluate } = panels(page);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.train, files.test]);
  await expect(data.getByTestId('count-train')).toContainText('64');
  await configureTraining(page, { model: 'tiny', epochs: 1, batchSize: 8 });
  await train.getByRole('button', { name: 'Start training' }).click();
  await expect(train.getByTestId('train-status')).toHaveAttribute('data-status', 'done', {
    timeout: 60_000,
  });
  await evaluate.getByRole('button', { name: 'Evaluate' }).click();
  await expect(evaluate.getByTestId('eval-results')).toHaveAttribute('data-runs', '1');
  await expect(evaluate.getByTestId('eval-top1')).toContainText('%');
});
