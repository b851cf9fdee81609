// Issue 15's whole newcomer flow on the real network: load the bundled example (the OSI-AI
// MicroNet) and the full CIFAR-100 test split; evaluate all 10,000 test images (80.26 % / 80.04 %
// with early exit: it qualifies, said in the Evaluate panel, the Score panel and History); pick a
// recipe that does not qualify (4-bit weights, measured on the Score panel's slice: labelled so);
// prune once (a new network) and undo it; History still shows the full-test point of the example,
// qualifying, on the Pareto chart as a full-test point. wasm backend.
import { expect, test } from '@playwright/test';
import path from 'node:path';
import { CIFAR_DIR } from './fixtures/cifar-slices';
import { consoleOnFailure, pageErrors, panels, region, openWasm } from './helpers';

const consoleLines = consoleOnFailure();

test('example network → full-test score → a failing recipe → undo → History', async ({ page }) => {
  test.setTimeout(600_000);
  await openWasm(page);
  await page.getByRole('button', { name: 'Load the example network' }).click();
  await expect(page.getByTestId('header-network')).toContainText('osi-micronet', {
    timeout: 120_000,
  });
  const { data, evaluate } = panels(page);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([path.join(CIFAR_DIR, 'test.bin')]);
  await expect(data.getByTestId('count-test')).toContainText('10,000');

  // All 10,000 test images: the example qualifies, everywhere its score appears.
  await evaluate.getByRole('button', { name: 'Evaluate' }).click();
  await expect(evaluate.getByTestId('eval-results')).toHaveAttribute('data-runs', '1', {
    timeout: 400_000,
  });
  await expect(evaluate.getByTestId('eval-top1')).toHaveText('80.26 %');
  const score = region(page, /Score/);
  await expect(score.getByTestId('score-eligibility')).toHaveAttribute('data-status', 'qualifies');
  const history = region(page, /History/);
  const full = history
    .locator('[data-testid="history-row"]')
    .filter({ hasText: 'as is (full test set)' });
  await expect(full.getByTestId('run-eligibility')).toHaveAttribute('data-status', 'qualifies');
  await expect(full.getByTestId('run-eligibility')).toContainText('80.04 % on 10,000 images');

  // A recipe that does not qualify: 4-bit weights, measured on the Score panel's slice.
  await score.getByTestId('weight-bits').selectOption('4');
  await expect(score.getByTestId('validation-top1')).toHaveText(/^\d+\.\d\d %$/, {
    timeout: 120_000,
  });
  await expect(score.getByTestId('score-eligibility')).toHaveAttribute('data-status', 'fails');
  await expect(score.getByTestId('score-eligibility')).toContainText('Does not qualify');
  await expect(score.getByTestId('score-reference')).toHaveAttribute('data-qualifies', 'false');

  // One prune (a new current network), then Undo: the example is current again.
  const stack = page.getByTestId('network-stack');
  const before = Number(await stack.getAttribute('data-size'));
  const pruning = region(page, /Pruning/);
  await expect(pruning.getByTestId('planned-params')).toHaveText(/→ \d/, { timeout: 60_000 });
  await pruning.getByRole('button', { name: 'Prune', exact: true }).click();
  await expect(pruning.getByTestId('prune-notice')).toContainText('→', { timeout: 180_000 });
  await expect(stack).toHaveAttribute('data-size', String(before + 1));
  await stack.getByRole('button', { name: 'Undo network' }).click();
  await expect(stack).toHaveAttribute('data-index', String(before - 1));
  await expect(page.getByTestId('header-network')).toContainText('osi-micronet');

  // History: the example's full-test point, qualifying, drawn as a full-test point.
  await expect(full.getByTestId('run-eligibility')).toHaveAttribute('data-status', 'qualifies');
  await expect(history.getByTestId('history-scatter')).toHaveAttribute(
    'data-front-estimated',
    'false',
  );
  expect(pageErrors(consoleLines())).toEqual([]);
});
