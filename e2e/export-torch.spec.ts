// "Export for PyTorch" in the browser (issue 16), and two newcomer details (issue 15): the
// dismissed first-run hint comes back with "Show first steps" (also after a reload), and a result
// of an earlier recipe says so. The bundled example network (OSI-AI MicroNet) under a recipe from
// the URL is exported from the Compress view as one .zip; the download holds the job folder (lab
// checkpoint, recipe, golden logits, job.json, README) and the Python package, and its
// recipe.json is the Score panel's recipe. Editing the recipe then labels the zip stale.
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { readZipDirectory, readZipEntry } from '../src/core/io/zip-reader';
import { captureConsole, panel } from './helpers';

const RECIPE = { sparsity: 0.3, weightBits: 8 };
const FOLDER = 'osi-micronet-torch-job';

async function openLab(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('backend-badge')).not.toHaveAttribute('data-backend', '', {
    timeout: 60_000,
  });
}

async function unzip(file: string): Promise<Map<string, Uint8Array>> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const out = new Map<string, Uint8Array>();
  for (const [name, e] of readZipDirectory(bytes)) out.set(name, await readZipEntry(bytes, e));
  return out;
}

test('export the example network for PyTorch as one zip', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const lines = captureConsole(page);
  await openLab(page, `/?recipe=${encodeURIComponent(JSON.stringify(RECIPE))}`);

  // The first-run hint: dismissed, it comes back with "Show first steps", also after a reload.
  const hint = page.getByTestId('first-run-hint');
  const showAgain = page.getByTestId('show-first-steps');
  await expect(hint).toBeVisible();
  await expect(showAgain).toHaveCount(0);
  await hint.getByRole('button', { name: 'Dismiss' }).click();
  await expect(hint).toHaveCount(0);
  await showAgain.click();
  await expect(hint).toBeVisible();
  await expect(page.getByRole('heading', { name: /New here/ })).toBeFocused();
  await expect(showAgain).toHaveCount(0);
  await openLab(page, `/?recipe=${encodeURIComponent(JSON.stringify(RECIPE))}`);
  await expect(hint).toBeVisible();

  await hint.getByRole('button', { name: 'Load the example network' }).click();
  await expect(page.getByTestId('header-network')).toContainText('osi-micronet', {
    timeout: 60_000,
  });

  // Export: one zip, built in the worker from the current network and recipe.
  const score = panel(page, 'Score');
  const recipeText = (await score.getByTestId('recipe-json').textContent())!;
  expect(JSON.parse(recipeText)).toEqual(RECIPE);
  const torch = score.getByTestId('torch-export');
  await torch.getByRole('button', { name: 'Export for PyTorch' }).click();
  const link = torch.getByTestId('torch-export-download');
  await expect(link).toHaveText(`${FOLDER}.zip`, { timeout: 90_000 });
  const download = page.waitForEvent('download');
  await link.click();
  const saved = testInfo.outputPath(`${FOLDER}.zip`);
  await (await download).saveAs(saved);

  const files = await unzip(saved);
  for (const f of [
    'job.json',
    'model.safetensors',
    'recipe.json',
    'golden.safetensors',
    'README.md',
    'micronet_lab_torch/__main__.py',
    'micronet_lab_torch/ir.py',
    'micronet_lab_torch/README.md',
  ])
    expect(files.has(`${FOLDER}/${f}`), f).toBe(true);
  const text = (f: string) => new TextDecoder().decode(files.get(`${FOLDER}/${f}`));
  expect(JSON.parse(text('recipe.json'))).toEqual(JSON.parse(recipeText));
  expect(JSON.parse(text('job.json'))).toMatchObject({
    format: 'micronet-lab-torch-job',
    graph: 'osi-micronet',
    images: { count: 8 },
  });
  expect(files.get(`${FOLDER}/model.safetensors`)!.length).toBeGreaterThan(1_000_000);
  await expect(torch.getByTestId('torch-export-result')).toHaveAttribute('data-stale', 'false');

  // Another recipe: the zip is labelled as one of an earlier recipe.
  const slider = score.getByTestId('global-sparsity');
  await slider.focus();
  await slider.press('ArrowRight');
  await expect(score.getByTestId('recipe-json')).not.toHaveText(recipeText);
  await expect(torch.getByTestId('torch-export-stale')).toContainText('For an earlier recipe');
  await expect(torch.getByTestId('torch-export-result')).toHaveAttribute('data-stale', 'true');
  expect(lines.filter((l) => l.includes('[page:error]'))).toEqual([]);
});
