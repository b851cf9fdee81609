// ?backend=cpu forces the cpu backend: the badge says so, and training (with pause / resume and
// cancel) and evaluation run on it without leaking tensors.
import { expect, test } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';
import { configureTraining, debugInfo, panels } from './helpers';

test('?backend=cpu forces cpu; pause, resume and cancel training', async ({ page }) => {
  const files = writeSliceFiles(96, 20); // 12 steps at batch 8
  await page.goto('/?backend=cpu');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'cpu');
  await expect(badge).toContainText('(forced)');
  await expect(badge).toContainText('forced by ?backend=cpu');

  const { data, train } = panels(page);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.train, files.test]);
  await expect(data.getByTestId('count-train')).toContainText('96');

  await configureTraining(page, { model: 'tiny', epochs: 1, batchSize: 8 });
  const status = train.getByTestId('train-status');
  const chart = train.getByTestId('metrics-chart');
  await train.getByRole('button', { name: 'Start training' }).click();
  await expect(chart).not.toHaveAttribute('data-points', '0');
  await train.getByRole('button', { name: 'Pause' }).click();
  await expect(status).toHaveAttribute('data-status', 'paused');
  const pausedAt = Number(await chart.getAttribute('data-points'));
  await page.waitForTimeout(1500);
  // At most the step that was running when Pause arrived may still land.
  expect(Number(await chart.getAttribute('data-points'))).toBeLessThanOrEqual(pausedAt + 1);
  await train.getByRole('button', { name: 'Resume' }).click();
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(chart).toHaveAttribute('data-points', '12');

  // Evaluating twice leaves no tensors behind in the worker.
  const { evaluate } = panels(page);
  const evalButton = evaluate.getByRole('button', { name: 'Evaluate' });
  const results = evaluate.getByTestId('eval-results');
  await evalButton.click();
  await expect(results).toHaveAttribute('data-runs', '1');
  await expect(evaluate.getByTestId('eval-top1')).toContainText('%');
  const before = (await debugInfo(page)).numTensors;
  await evalButton.click();
  await expect(results).toHaveAttribute('data-runs', '2');
  expect((await debugInfo(page)).numTensors).toBe(before);

  await configureTraining(page, { model: 'tiny', epochs: 5, batchSize: 8 });
  await train.getByRole('button', { name: 'Start training' }).click();
  await expect(chart).not.toHaveAttribute('data-points', '0');
  await train.getByRole('button', { name: 'Cancel' }).click();
  await expect(status).toHaveAttribute('data-status', 'cancelled');
  await expect(status).toContainText('Cancelled after');

  expect((await debugInfo(page)).tfBackend).toBe('cpu');
});
