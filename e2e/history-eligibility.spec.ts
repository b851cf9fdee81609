// Eligibility everywhere a score appears, one record per (network, recipe), and the network
// stack: a user trains the tiny net for 2 steps, measures an 8-bit recipe (it does not qualify:
// the Score panel and its History row say so), evaluates the first 20 test images (an estimate
// with its 95 % interval, in the Evaluate panel and in History too), prunes (a new network: the
// evaluation of the old one is cleared), then undoes the prune (the trained network comes back,
// its recorded figures with it) and reloads (the stack is kept). Tiny net on 32 train / 50 test images, wasm backend.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';
import { captureConsole, configureTraining, panels, region, openWasm } from './helpers';

const editRow = (history: Locator, text: string) =>
  history.locator('[data-testid="history-row"][data-kind="edit"]').filter({ hasText: text });

async function open(page: Page): Promise<void> {
  await openWasm(page);
}

test('a failing recipe, a slice estimate and undo of a prune', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const lines = captureConsole(page);
  await open(page);
  const files = writeSliceFiles(32, 50);
  const { data, train, evaluate } = panels(page);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.train, files.test]);
  await expect(data.getByTestId('count-test')).toContainText('50');

  // Train: the first network on the stack.
  await configureTraining(page, { model: 'tiny', epochs: 1, batchSize: 16 });
  await train.getByRole('button', { name: 'Start training' }).click();
  await expect(train.getByTestId('train-status')).toHaveAttribute('data-status', 'done', {
    timeout: 60_000,
  });
  const stack = page.getByTestId('network-stack');
  await expect(stack).toHaveAttribute('data-size', '1');
  await expect(page.getByTestId('network-stack-current')).toHaveText('Trained tiny (1 of 1)');

  // An 8-bit recipe measured on the slice: it does not qualify, here and in History.
  const score = region(page, /Score/);
  await score.getByTestId('weight-bits').selectOption('8');
  await expect(score.getByTestId('validation-top1')).toHaveText(/^\d+\.\d\d %$/, {
    timeout: 60_000,
  });
  await expect(score.getByTestId('score-eligibility')).toHaveAttribute('data-status', 'fails');
  await expect(score.getByTestId('score-eligibility')).toContainText('Does not qualify');
  await expect(score.getByTestId('score-reference')).toHaveAttribute('data-qualifies', 'false');
  const history = region(page, /History/);
  const measured = editRow(history, '8-bit weights');
  await expect(measured.getByTestId('run-eligibility')).toHaveAttribute('data-status', 'fails');
  await expect(measured.getByTestId('run-eligibility')).toContainText('does not qualify');

  // Evaluate the first 20 test images: an estimate with its interval, in History too.
  await evaluate.getByTestId('eval-limit').fill('20');
  await evaluate.getByRole('button', { name: 'Evaluate' }).click();
  await expect(evaluate.getByTestId('eval-results')).toHaveAttribute('data-runs', '1', {
    timeout: 60_000,
  });
  const evalTag = evaluate.getByTestId('eval-eligibility').getByTestId('eligibility-tag');
  await expect(evalTag).toHaveAttribute('data-estimated', 'true');
  await expect(evalTag).toContainText(/on 20 images; estimate, 95 % interval|estimated/);
  const evaluated = editRow(history, 'evaluation, 20 test images');
  const evalRowTag = evaluated.getByTestId('run-eligibility');
  await expect(evalRowTag).toHaveAttribute('data-estimated', 'true');
  await expect(evalRowTag).toContainText('95 % interval');
  await expect(history.getByTestId('history-scatter')).toHaveAttribute(
    'data-front-estimated',
    'true',
  );

  // Prune: a second network; the evaluation belongs to the first one now.
  const pruning = region(page, /Pruning/);
  await expect(pruning.getByTestId('planned-params')).toHaveText(/^30,196 → \d/, {
    timeout: 30_000,
  });
  await pruning.getByRole('button', { name: 'Prune', exact: true }).click();
  await expect(pruning.getByTestId('prune-notice')).toContainText('30,196 →', { timeout: 60_000 });
  await expect(pruning.getByTestId('prune-notice')).toContainText(
    /Top-1 on the first 50 test images: \d+\.\d\d % → \d+\.\d\d %/,
  );
  await expect(stack).toHaveAttribute('data-size', '2');
  await expect(page.getByTestId('header-network')).not.toContainText('30,196');
  await expect(evaluate.getByTestId('eval-top1')).toHaveText('—'); // it was of the first network

  // Undo: the trained network is current again, and its figures apply again.
  await stack.getByRole('button', { name: 'Undo network' }).click();
  await expect(stack).toHaveAttribute('data-index', '0');
  await expect(page.getByTestId('header-network')).toContainText('30,196');
  await expect(score.getByTestId('score-eligibility')).toHaveAttribute('data-status', 'fails');
  await expect(score.getByTestId('validation-top1')).toHaveText(/^\d+\.\d\d %$/); // its record
  await expect(evaluated.getByTestId('run-eligibility')).toHaveAttribute('data-estimated', 'true');
  await page.screenshot({ path: testInfo.outputPath('history-eligibility.png'), fullPage: true });

  // Reload: the stack and the current network come back; redo is still possible.
  await open(page);
  await expect(stack).toHaveAttribute('data-index', '0', { timeout: 30_000 });
  await expect(stack).toHaveAttribute('data-size', '2');
  await expect(page.getByTestId('header-network')).toContainText('30,196');
  await expect(stack.getByRole('button', { name: 'Redo network' })).toBeEnabled();
  expect(lines.filter((l) => l.includes('[page:error]'))).toEqual([]);
});
