// History panel: a user trains the tiny net for a couple of steps and measures its recipe in the
// Score panel; both show up as History rows (the measured one as a point on the accuracy-vs-score
// scatter), compare side by side, survive a reload (IndexedDB), restore the trained network from
// its saved checkpoint, and go away with Delete / Clear all — also after another reload.
// Tiny net on 32 train / 50 test images, wasm backend for speed.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';
import { captureConsole, configureTraining, panels, region } from './helpers';

const rows = (history: Locator) => history.getByTestId('history-row');

async function open(page: Page): Promise<Locator> {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm', {
    timeout: 60_000,
  });
  const history = region(page, /History/);
  await expect(history).toHaveAttribute('data-loaded', 'true');
  return history;
}

test('record a training run and a measured recipe, reload, restore, delete', async ({
  page,
}, testInfo) => {
  test.setTimeout(150_000);
  const lines = captureConsole(page);
  let history = await open(page);
  await expect(history.getByTestId('history-empty')).toBeVisible();

  const files = writeSliceFiles(32, 50);
  const { data, train } = panels(page);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.train, files.test]);
  await expect(data.getByTestId('count-test')).toContainText('50');

  // Train 2 steps: one History row with the network's score under the (empty) recipe.
  await configureTraining(page, { model: 'tiny', epochs: 1, batchSize: 16 });
  await train.getByRole('button', { name: 'Start training' }).click();
  await expect(train.getByTestId('train-status')).toHaveAttribute('data-status', 'done', {
    timeout: 60_000,
  });
  const trained = history.locator('[data-testid="history-row"][data-kind="train"]');
  await expect(trained).toHaveAttribute('data-saved', 'true');
  await expect(trained).toContainText('Trained tiny: 2 steps');
  await expect(trained.getByTestId('run-score')).toHaveText(/^\d\.\d{6}$/);
  await expect(trained.getByTestId('run-top1')).toHaveText('—');

  // Measure the recipe (8-bit weights): an "edit" row with score + accuracy → one scatter point.
  const score = region(page, /Score/);
  await score.getByTestId('weight-bits').selectOption('8');
  await expect(score.getByTestId('validation-top1')).toHaveText(/^\d+\.\d\d %$/, {
    timeout: 60_000,
  });
  const edit = history.locator('[data-testid="history-row"][data-kind="edit"]');
  await expect(edit).toHaveAttribute('data-saved', 'true');
  await expect(edit).toContainText('8-bit weights (validation slice)');
  const shownScore = await score.getByTestId('score-value').textContent();
  await expect(edit.getByTestId('run-score')).toHaveText(shownScore!);
  const top1 = (await score.getByTestId('validation-top1').textContent())!.match(/\d+\.\d\d %/)![0];
  await expect(edit.getByTestId('run-top1')).toHaveText(top1);
  const scatter = history.getByTestId('history-scatter');
  await expect(scatter).toHaveAttribute('data-points', '1');
  await expect(scatter.getByTestId('history-point')).toHaveCount(1);

  // Compare the two side by side: the recipe's weight bits differ.
  await edit.getByRole('checkbox').check();
  await trained.getByRole('checkbox').check();
  const compare = history.getByTestId('history-compare');
  await expect(compare.locator('[data-field="recipe.weightBits"]')).toHaveAttribute(
    'data-differs',
    'true',
  );
  await expect(compare.locator('[data-field="network"]')).toHaveAttribute('data-differs', 'false');
  await history.screenshot({ path: testInfo.outputPath('history-panel.png') });

  // Reload: both rows come back from IndexedDB, the point too.
  history = await open(page);
  await expect(rows(history)).toHaveCount(2);
  await expect(history.getByTestId('history-scatter')).toHaveAttribute('data-points', '1');
  await expect(history.getByTestId('history-point')).toHaveCount(1);

  // Restore the trained network (saved checkpoint → the Model panel's import) and its recipe.
  await history
    .locator('[data-testid="history-row"][data-kind="train"]')
    .getByRole('button', { name: 'Restore' })
    .click();
  await expect(history.getByTestId('history-notice')).toHaveText(
    'Restored "Trained tiny: 2 steps": tiny and its recipe.',
    { timeout: 60_000 },
  );
  await expect(region(page, /Model/).getByTestId('model-notice')).toContainText('Imported');
  await expect(region(page, /Score/).getByTestId('recipe-json')).toHaveText('{}');
  await expect(rows(history)).toHaveCount(2); // restoring adds no row

  // Delete the measured edit, then clear the rest (confirmed).
  await history
    .locator('[data-testid="history-row"][data-kind="edit"]')
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(rows(history)).toHaveCount(1);
  await expect(history.getByTestId('history-scatter')).toHaveAttribute('data-points', '0');
  page.once('dialog', (d) => void d.accept());
  await history.getByRole('button', { name: 'Clear all' }).click();
  await expect(history.getByTestId('history-empty')).toBeVisible();
  history = await open(page);
  await expect(history.getByTestId('history-empty')).toBeVisible();
  expect(lines.filter((l) => l.includes('[page:error]'))).toEqual([]);
});
