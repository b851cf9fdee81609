// A user loads train/test slices through the file input, sees labelled sample images, trains the
// tiny net for a few steps on WebGPU (SwiftShader here) and evaluates it on the test slice.
import { expect, test } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';
import { FINE_NAMES } from './fixtures/label-names';
import { captureConsole, configureTraining, debugInfo, panels, WEBGPU_FAILURE } from './helpers';

test('load slices, see samples, train tiny on WebGPU, evaluate', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const lines = captureConsole(page);
  const files = writeSliceFiles(48, 40); // 3 training steps at batch 16
  // Headless Chromium's only adapter is SwiftShader (a software fallback), which 'auto' skips
  // for wasm; the user forces WebGPU, as a user of such a machine would to try it.
  await page.goto('/?backend=webgpu');

  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu', { timeout: 60_000 });
  await expect(badge).toContainText('Backend: webgpu');

  const { data, train, evaluate } = panels(page);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.train, files.test]);
  await expect(data.getByTestId('count-train')).toContainText('48');
  await expect(data.getByTestId('count-test')).toContainText('40');
  const grid = data.getByTestId('sample-grid');
  await expect(grid.locator('canvas')).toHaveCount(24);
  const labels = await grid.locator('.sample-label').allTextContents();
  expect(labels.length).toBe(24);
  for (const l of labels) expect(FINE_NAMES).toContain(l);

  await configureTraining(page, { model: 'tiny', epochs: 1, batchSize: 16 });
  await train.getByRole('button', { name: 'Start training' }).click();
  const status = train.getByTestId('train-status');
  const chart = train.getByTestId('metrics-chart');
  await expect(chart).toHaveAttribute('data-points', '1', { timeout: 120_000 });
  await expect(train.getByTestId('progress-train')).toBeVisible();
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  await expect(chart).toHaveAttribute('data-points', '3');
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(2);
  await expect(status).toContainText(/loss \d+\.\d+ · batch accuracy \d+\.\d %/);

  await evaluate.getByLabel('Batch size').fill('20');
  await evaluate.getByRole('button', { name: 'Evaluate' }).click();
  await expect(evaluate.getByTestId('eval-top1')).toContainText('%', { timeout: 60_000 });
  await expect(evaluate.getByTestId('eval-top5')).toContainText('%');
  await expect(evaluate).toContainText('40 images, tiny.');

  const info = await debugInfo(page);
  expect(info.tfBackend).toBe('webgpu');
  expect(info.adapter).not.toBeNull();
  expect(lines.filter((l) => WEBGPU_FAILURE.test(l))).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath('after-training.png'), fullPage: true });
});
