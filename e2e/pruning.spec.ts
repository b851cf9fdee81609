// Spectra and Pruning panels: a user analyses the tiny net (K-FAC spectra per layer, saliency
// distribution, Hessian top-k and density — charts with data points), edits one layer's ratio in
// the Pruning table (its coupled layers — the group's BN and the consumer's inputs — follow and
// are highlighted, the planned score changes), then prunes: the parameter count drops in the
// panel, in the Model panel's current network and in the Score panel's storage term.
// Tiny net (untrained, seed 1) on 64 train / 32 test images, wasm backend for speed.
import { expect, test, type Locator } from '@playwright/test';
import { captureConsole, openWithTinyNet, region } from './helpers';

/** The ratio input of `layer` (in `role`) inside channel group `group`. */
function ratioInput(table: Locator, group: string, layer: string, role: string): Locator {
  return table.locator(
    `input[data-testid="ratio-input"][data-group="${group}"][data-layer="${layer}"][data-role="${role}"]`,
  );
}

test('analyse spectra, edit a coupled ratio, prune the network', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const lines = captureConsole(page);
  await openWithTinyNet(page, 64, 32);

  // Analyse: K-FAC on 2 × 16 train images, the Hessian of the first 16 test images.
  const spectra = region(page, /Spectra/);
  await spectra.getByLabel('K-FAC batches').fill('2');
  await spectra.getByLabel('Batch size').fill('16');
  await spectra.getByLabel('Hessian records').fill('16');
  await spectra.getByLabel('Hessian top-k').fill('3');
  await spectra.getByRole('button', { name: 'Analyse' }).click();
  const factors = spectra.getByTestId('factor-spectrum-chart');
  await expect(factors).toHaveAttribute('data-points', '16', { timeout: 120_000 }); // conv1: G is 16 × 16
  await expect(factors.locator('.recharts-line-curve')).toHaveCount(2);
  await expect(spectra.getByTestId('hessian-top-chart')).toHaveAttribute('data-points', '3');
  await expect(
    spectra.getByTestId('hessian-top-chart').locator('.recharts-bar-rectangle'),
  ).toHaveCount(3);
  await expect(spectra.getByTestId('hessian-density-chart')).toHaveAttribute(
    'data-points',
    /^[1-9]\d+$/,
  );
  await expect(
    spectra.getByTestId('hessian-density-chart').locator('.recharts-area-area'),
  ).toHaveCount(1);
  await expect(spectra.getByTestId('saliency-histogram')).toHaveAttribute('data-points', '24');
  await expect(spectra.getByTestId('hessian-lambda-max')).toHaveText(/^\d\.\d{3}e[+-]\d+$/);
  await spectra.getByLabel('Layer', { exact: true }).selectOption('fc');
  await expect(factors).toHaveAttribute('data-points', '100'); // fc: G is 100 × 100
  await spectra.screenshot({ path: testInfo.outputPath('spectra-panel.png') });

  // Pruning: the eigenbasis plan uses that analysis (one row per analysed layer) …
  const pruning = region(page, /Pruning/);
  const planned = pruning.getByTestId('planned-params');
  const plannedScore = pruning.getByTestId('planned-score');
  const table = pruning.getByTestId('prune-table');
  await pruning.getByLabel('Method').selectOption('eigenbasis');
  await expect(table).toHaveAttribute('data-rows', '4', { timeout: 30_000 });
  await expect(table.locator('tr[data-layer="conv3"]')).toBeVisible();
  await expect(planned).toHaveText(/^30,196 → \d/);

  // … and the channel method's live plan of the default 20 % prune.
  await pruning.getByLabel('Method').selectOption('channels');
  await expect(table).toHaveAttribute('data-rows', '9'); // 3 groups × (producer, BN, consumer)
  await expect(planned).toHaveText(/^30,196 → \d/, { timeout: 30_000 });
  await expect(pruning.getByTestId('prune-planned')).toHaveAttribute('data-state', 'done');
  const scoreBefore = await plannedScore.textContent();

  // Edit conv2's output channels: the coupled rows (bn2, conv3's inputs) follow, highlighted.
  await ratioInput(table, 'conv2', 'conv2', 'out').fill('50');
  await expect(ratioInput(table, 'conv2', 'bn2', 'bn')).toHaveValue('50');
  await expect(ratioInput(table, 'conv2', 'conv3', 'in')).toHaveValue('50');
  await expect(table.locator('tbody[data-group="conv2"]')).toHaveAttribute('data-edited', 'true');
  await expect(table.locator('tbody[data-group="conv1"]')).toHaveAttribute('data-edited', 'false');
  await expect(ratioInput(table, 'conv1', 'conv2', 'in')).not.toHaveValue('50'); // another group
  await expect(plannedScore).not.toHaveText(scoreBefore!);
  await expect(pruning.getByTestId('prune-planned')).toHaveAttribute('data-state', 'done');
  const after = /→ ([\d,]+)/.exec((await planned.textContent())!)![1]!;
  expect(Number(after.replace(/,/g, ''))).toBeLessThan(30196);

  // Prune: the network really shrinks, everywhere.
  const score = region(page, /Score/);
  const storageBefore = await score.getByTestId('score-params-term').textContent();
  await pruning.getByRole('button', { name: 'Prune', exact: true }).click();
  console.log(lines.join('\n'));
  await expect(pruning.getByTestId('prune-notice')).toContainText(`30,196 → ${after} parameters`, {
    timeout: 60_000,
  });
  await expect(page.getByTestId('current-network')).toContainText(`${after} parameters`);
  await expect(score.getByTestId('score-params-term')).not.toHaveText(storageBefore!);
  await expect(planned).toHaveText(new RegExp(`^${after} → `)); // planned on the pruned network
  await expect(spectra.getByTestId('analysis-summary')).toContainText('earlier network');
  await pruning.screenshot({ path: testInfo.outputPath('pruning-panel.png') });
  expect(lines.filter((l) => l.includes('[page:error]'))).toEqual([]);
});

test('run the prune → fine-tune → grow-back schedule: curve per step, smaller network', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const lines = captureConsole(page);
  await openWithTinyNet(page, 64, 32);

  const pruning = region(page, /Pruning/);
  await expect(pruning.getByTestId('planned-params')).toHaveText(/^30,196 → \d/, {
    timeout: 30_000,
  });
  await pruning.getByLabel('Iterations').fill('2');
  await pruning.getByLabel('Fine-tune epochs').fill('1');
  await pruning.getByLabel('Grow-back').fill('50');
  await pruning.getByRole('button', { name: 'Run schedule' }).click();
  const status = pruning.getByTestId('schedule-status');
  await expect(status).toHaveAttribute('data-status', 'completed', { timeout: 150_000 });
  // Two iterations, each a prune and a grow step: four points on the curve.
  await expect(pruning.getByTestId('prune-schedule-chart')).toHaveAttribute('data-points', '4');
  const current = page.getByTestId('current-network');
  const params = /([\d,]+) parameters/.exec((await current.textContent())!)![1]!;
  expect(Number(params.replace(/,/g, ''))).toBeLessThan(30196);
  expect(lines.filter((l) => l.includes('[page:error]'))).toEqual([]);
});
