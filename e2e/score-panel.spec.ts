// Score panel: a user drags the global sparsity slider and the score follows while the thumb
// moves (no waiting for accuracy); the accuracy is re-measured once the thumb is released
// ("measuring…", then a figure). 8-bit weights end the 16-bit freebie. The page URL carries the
// recipe: opening it restores the same slider, bits and score; a bad one is refused clearly.
// Tiny net (untrained, seed 1) on a 100-image test slice, on the default backend (wasm here).
import { expect, test, type Locator, type Page } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';
import { captureConsole, panel, panels } from './helpers';

const TEST_RECORDS = 100;

function scorePanel(page: Page): Locator {
  return panel(page, 'Score');
}

/** Makes the untrained tiny net current by evaluating it (Evaluate builds it with seed 1). */
async function evaluateTiny(page: Page, runs: number): Promise<void> {
  const { train, evaluate } = panels(page);
  await train.getByLabel('Network').selectOption('tiny');
  await evaluate.getByRole('button', { name: 'Evaluate' }).click();
  await expect(evaluate.getByTestId('eval-results')).toHaveAttribute('data-runs', String(runs), {
    timeout: 60_000,
  });
}

/** Records every data-state the accuracy block takes from now on, in window.__states. */
async function recordStates(block: Locator): Promise<void> {
  await block.evaluate((el) => {
    const w = window as unknown as { __states: string[] };
    w.__states = [el.getAttribute('data-state') ?? ''];
    new MutationObserver(() => w.__states.push(el.getAttribute('data-state') ?? '')).observe(el, {
      attributes: true,
      attributeFilter: ['data-state'],
    });
  });
}

test('drag sparsity, pick 8 bits, restore the recipe from the URL', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const lines = captureConsole(page);
  await page.goto('/');
  await expect(page.getByTestId('backend-badge')).not.toHaveAttribute('data-backend', '', {
    timeout: 60_000,
  });
  const files = writeSliceFiles(40, TEST_RECORDS);
  const { data } = panels(page);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.train, files.test]);
  await expect(data.getByTestId('count-test')).toContainText(String(TEST_RECORDS));

  const score = scorePanel(page);
  await expect(score.getByTestId('score-empty')).toBeVisible();
  await evaluateTiny(page, 1);
  const value = score.getByTestId('score-value');
  await expect(value).toHaveText(/^\d\.\d{6}$/);
  const asIs = await value.textContent();
  await expect(score.getByTestId('freebie-badge')).toHaveAttribute('data-freebie', 'on');
  await expect(score.getByTestId('layer-table')).toHaveAttribute('data-rows', /\d+/);
  await expect(score.getByRole('cell', { name: 'conv3', exact: true })).toBeVisible();
  const accuracy = score.getByTestId('score-accuracy');
  const top1 = score.getByTestId('validation-top1');
  // The evaluation just made is the figure of this (network, no recipe) pair: it shows here too.
  await expect(top1).toHaveText(/^\d+\.\d\d %$/);
  await expect(accuracy).toContainText('Evaluate panel');

  // Drag the global sparsity thumb: the score changes at every stop, before the mouse is up.
  const slider = score.getByTestId('global-sparsity');
  await slider.scrollIntoViewIfNeeded();
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  const at = (f: number) => box.x + 8 + f * (box.width - 16);
  await recordStates(accuracy);
  await page.mouse.move(at(0), y);
  await page.mouse.down();
  const seen = [asIs];
  for (const f of [0.25, 0.5, 0.75]) {
    await page.mouse.move(at(f), y, { steps: 4 });
    await expect(value).not.toHaveText(seen[seen.length - 1]!, { timeout: 2_000 });
    seen.push(await value.textContent());
    await expect(top1).toHaveText('—'); // no accuracy yet: the thumb is still held
  }
  expect(Number(await slider.inputValue())).toBeGreaterThan(0.5);
  await page.mouse.up();
  const sparsity = await slider.inputValue();
  await expect(top1).toHaveText(/^\d+\.\d\d %$/, { timeout: 60_000 });
  await expect(accuracy).toHaveAttribute('data-state', 'done');
  const states = await page.evaluate(() => (window as unknown as { __states: string[] }).__states);
  expect(states).toContain('pending');
  expect(states.indexOf('measuring')).toBeGreaterThan(states.indexOf('pending'));
  expect(states[states.length - 1]).toBe('done');
  await expect(score.getByTestId('measure-status')).toContainText('Measured');

  // 8-bit weights: no more freebie, another score.
  const sparse = await value.textContent();
  await score.getByTestId('weight-bits').selectOption('8');
  await expect(score.getByTestId('freebie-badge')).toHaveAttribute('data-freebie', 'off');
  await expect(value).not.toHaveText(sparse!);
  const final = await value.textContent();
  const recipe = await score.getByTestId('recipe-json').textContent();
  expect(JSON.parse(recipe!)).toEqual({ sparsity: Number(sparsity), weightBits: 8 });
  await expect(top1).toHaveText(/^\d+\.\d\d %$/, { timeout: 60_000 });
  await expect(accuracy).toHaveAttribute('data-state', 'done');

  // The full test split on demand (all 100 records here), with its own figure.
  await score.getByRole('button', { name: 'Measure full test set' }).click();
  await expect(score.getByTestId('full-top1')).toHaveText(/^\d+\.\d\d %$/, { timeout: 60_000 });
  await expect(accuracy).toContainText(`${TEST_RECORDS} test images`);
  await score.screenshot({ path: testInfo.outputPath('score-panel.png') });

  // The URL holds the recipe (written while dragging, without a reload).
  await expect.poll(() => new URL(page.url()).searchParams.get('recipe')).toBe(recipe);
  const link = page.url();

  // Open the link: the same recipe before any network, the same score once tiny is back.
  await page.goto(link);
  const again = scorePanel(page);
  await expect(again.getByTestId('recipe-json')).toHaveText(recipe!);
  await expect(again.getByTestId('global-sparsity')).toHaveValue(sparsity);
  await expect(again.getByTestId('weight-bits')).toHaveValue('8');
  await expect(panels(page).data.getByTestId('count-test')).toContainText(String(TEST_RECORDS), {
    timeout: 30_000,
  }); // restored from the browser cache
  await evaluateTiny(page, 1);
  await expect(again.getByTestId('score-value')).toHaveText(final!);
  await expect(again.getByTestId('freebie-badge')).toHaveAttribute('data-freebie', 'off');

  // A bad recipe in the URL: a clear error naming the field; the default recipe stays.
  await page.goto(`/?backend=cpu&recipe=${encodeURIComponent('{"weightBits":40}')}`);
  const bad = scorePanel(page);
  await expect(bad.getByTestId('recipe-error')).toContainText(
    'recipe.weightBits must be an integer in 2–16 or 32, got 40',
  );
  await expect(bad.getByTestId('recipe-json')).toHaveText('{}');
  await expect(bad.getByTestId('weight-bits')).toHaveValue('32');
  expect(lines.filter((l) => l.includes('[page:error]'))).toEqual([]);
});

test('OSI-AI MicroNet: the honest count next to the published figure', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const archivePort = Number(process.env.E2E_ARCHIVE_PORT ?? 4180);
  await page.goto('/');
  await expect(page.getByTestId('backend-badge')).not.toHaveAttribute('data-backend', '', {
    timeout: 60_000,
  });
  const model = panel(page, 'Model');
  await model
    .getByLabel('Checkpoint URL')
    .fill(`http://127.0.0.1:${archivePort}/models/osi-ai-micronet/trained_model.safetensors`);
  await model.getByRole('button', { name: 'Import URL' }).click();
  await expect(model.getByTestId('model-notice')).toContainText('osi-micronet', {
    timeout: 60_000,
  });
  const score = scorePanel(page);
  // As imported: each layer's own zeros, no quantization, BN folded, OSI's 29.29 % exit rate.
  await expect(score.getByTestId('score-value')).toHaveText('0.006267');
  await expect(score.getByTestId('osi-as-counted')).toHaveText('0.006267');
  await expect(score.getByTestId('osi-as-published')).toHaveText('0.005798');
  await expect(score.getByTestId('freebie-badge')).toHaveAttribute('data-freebie', 'on');
  await expect(score.getByTestId('score-context')).toContainText("OSI-AI's reported rate");
  await expect(score.getByTestId('layer-table')).toHaveAttribute('data-rows', '80');
  await score.screenshot({ path: testInfo.outputPath('score-panel-osi.png') });
});
