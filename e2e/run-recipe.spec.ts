// "Run recipe" (Score panel): a user opens a recipe link (8-bit weights, 30 % extra sparsity, a
// 2-step gradual prune with QAT + distilled fine-tuning), makes the untrained tiny net current,
// and runs the recipe: the progress shows its stages and moves, the result (top-1, score, "does
// not qualify" on a 32-image slice) and the .mnlc download appear, the compressed network becomes
// the current one, and the run lands in History with its score and top-1.
// Tiny net on 64 train / 32 test images, wasm backend for speed.
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import { captureConsole, openWithTinyNet, region } from './helpers';

const RECIPE = {
  weightBits: 8,
  sparsity: 0.3,
  fineTune: { epochs: 1, pruneSteps: 2, qat: true, distill: { temperature: 4, weight: 0.9 } },
};

test('run a recipe on the tiny net: progress, result, download, History', async ({
  page,
}, testInfo) => {
  test.setTimeout(150_000);
  const lines = captureConsole(page);
  await openWithTinyNet(page, 64, 32, `&recipe=${encodeURIComponent(JSON.stringify(RECIPE))}`);

  const score = region(page, /Score/);
  await expect(score.getByTestId('recipe-json')).toContainText('"pruneSteps":2');
  const box = score.getByTestId('run-recipe');
  await expect(box.getByTestId('recipe-run-images')).toHaveAttribute('placeholder', 'all (32)');
  await box.getByTestId('recipe-run-images').fill('40');
  await box.getByRole('button', { name: 'Run recipe' }).click();
  await expect(box.getByTestId('recipe-run-error')).toHaveText(
    'Test images: 40 asked; the split has 32.',
  );
  await box.getByTestId('recipe-run-images').fill('');

  // Record every progress state the bar shows (stage and amount), then run.
  await box.evaluate((el) => {
    const seen: string[] = [];
    (window as unknown as { __progress: string[] }).__progress = seen;
    new MutationObserver(() => {
      const p = el.querySelector('[data-testid="recipe-run-progress"]');
      if (!p) return;
      const cancel = p.querySelector('button')?.textContent === 'Cancel' ? 'cancel' : '';
      const v = `${p.getAttribute('data-stage')}:${p.getAttribute('data-done')}:${cancel}`;
      if (seen[seen.length - 1] !== v) seen.push(v);
    }).observe(el, { subtree: true, childList: true, attributes: true });
  });
  await box.getByRole('button', { name: 'Run recipe' }).click();
  const result = box.getByTestId('recipe-run-result');
  await expect(result).toBeVisible({ timeout: 90_000 });
  await expect(box.getByTestId('recipe-run-progress')).toHaveCount(0);
  const seen = await page.evaluate(
    () => (window as unknown as { __progress: string[] }).__progress,
  );
  const stages = new Set(seen.map((s) => s.split(':')[0]));
  expect(stages.has('fine-tune'), seen.join(' ')).toBe(true);
  expect(stages.has('evaluate') || stages.has('export'), seen.join(' ')).toBe(true);
  expect(
    seen.every((s) => s.endsWith(':cancel')),
    seen.join(' '),
  ).toBe(true);
  const tuned = seen.filter((s) => s.startsWith('fine-tune:')).map((s) => Number(s.split(':')[1]));
  expect(new Set(tuned).size, seen.join(' ')).toBeGreaterThan(1); // it moved

  await expect(result.getByTestId('recipe-run-top1')).toHaveText(/^\d+\.\d\d %$/);
  const shownScore = (await result.getByTestId('recipe-run-score').textContent())!;
  expect(shownScore).toMatch(/^0\.\d{6}$/);
  await expect(result).toHaveAttribute('data-qualifies', 'false');
  await expect(result.getByTestId('recipe-run-qualifies')).toHaveText(
    /^does not qualify \(\d+\.\d\d % on 32 images\)$/,
  );
  await expect(box.getByTestId('recipe-run-notice')).toContainText('it is now the current network');
  const link = result.getByTestId('recipe-run-download');
  await expect(link).toHaveAttribute('download', 'tiny.mnlc');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const saved = testInfo.outputPath('tiny.mnlc');
  await download.saveAs(saved);
  expect(fs.statSync(saved).size).toBeGreaterThan(1000);
  await expect(box.getByTestId('recipe-run-saved')).toHaveCount(0); // nothing left to resume

  // The compressed network is current (as an imported .mnlc), and the run is in History.
  await expect(score.getByTestId('recipe-json')).toContainText('"pruneSteps":2');
  const history = region(page, /History/);
  const row = history.locator('[data-testid="history-row"][data-kind="recipe"]');
  await expect(row).toHaveAttribute('data-saved', 'true');
  await expect(row).toContainText(/Run recipe on tiny: top-1 \d+\.\d\d % on 32 images/);
  await expect(row.getByTestId('run-score')).toHaveText(shownScore);
  const top1 = (await result.getByTestId('recipe-run-top1').textContent())!;
  await expect(row.getByTestId('run-top1')).toHaveText(top1);
  await box.screenshot({ path: testInfo.outputPath('run-recipe.png') });
  expect(lines.filter((l) => l.includes('[page:error]'))).toEqual([]);
});

test('a recipe run interrupted by a reload resumes from its checkpoint', async ({ page }) => {
  test.setTimeout(150_000);
  const lines = captureConsole(page);
  // 4 prune steps × 3 epochs × 16 batches of 4: long enough to reload during step 2.
  const recipe = {
    ...RECIPE,
    fineTune: { ...RECIPE.fineTune, epochs: 3, pruneSteps: 4, batchSize: 4 },
  };
  await openWithTinyNet(page, 64, 32, `&recipe=${encodeURIComponent(JSON.stringify(recipe))}`);
  let box = region(page, /Score/).getByTestId('run-recipe');
  await box.getByRole('button', { name: 'Run recipe' }).click();
  const progress = box.getByTestId('recipe-run-progress');
  // Step 1's checkpoint is saved before step 2 starts.
  await expect(progress).toHaveAttribute('data-step', /^[2-4]$/, { timeout: 60_000 });
  await page.reload();

  // The session brings back the dataset and the network; the run continues by itself.
  await expect(page.getByTestId('recovery-notice')).toContainText(
    /recipe run resumes \(tiny, interrupted after prune step [1-3]/,
    {
      timeout: 60_000,
    },
  );
  box = region(page, /Score/).getByTestId('run-recipe');
  const result = box.getByTestId('recipe-run-result');
  await expect(result).toBeVisible({ timeout: 90_000 });
  await expect(result).toContainText('(resumed)');
  const row = region(page, /History/).locator('[data-testid="history-row"][data-kind="recipe"]');
  await expect(row).toContainText(/on 32 images, resumed/);
  await expect(row.getByTestId('run-score')).toHaveText(
    (await result.getByTestId('recipe-run-score').textContent())!,
  );
  expect(lines.filter((l) => l.includes('[page:error]'))).toEqual([]);
});
