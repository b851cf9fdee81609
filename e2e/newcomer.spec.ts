// A newcomer's first visit: the first-run hint says what to do; "Load the example network"
// imports the bundled OSI-AI MicroNet; a small CIFAR-100 slice is loaded in the Data view; the
// Compress view shows OSI's score as counted (0.006267) and measures its accuracy; every step
// shows its status in the navigation and the header shows the lab's state. The view lives in the
// URL: a reload or a link opens it. The dismissed hint stays away. Charts have accessible names.
import { expect, test, type Page } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';
import { COARSE_NAMES, FINE_NAMES } from './fixtures/label-names';
import { captureConsole, panel } from './helpers';

const TEST_RECORDS = 40;

const viewParam = (page: Page) => new URL(page.url()).searchParams.get('view');

async function openLab(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('backend-badge')).not.toHaveAttribute('data-backend', '', {
    timeout: 60_000,
  });
}

test('a newcomer goes from an empty lab to a scored network', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const lines = captureConsole(page);
  await openLab(page, '/');
  const hint = page.getByTestId('first-run-hint');
  await expect(hint).toBeVisible();
  await expect(page.getByTestId('nav-data')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('nav-model-status')).toHaveText('not yet');
  await expect(page.getByTestId('header-network')).toHaveText('none');

  // 1. The example network, through the Model panel's URL import.
  await hint.getByRole('button', { name: 'Load the example network' }).click();
  await expect(page.getByTestId('header-network')).toContainText('osi-micronet', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('nav-model-status')).toHaveText('osi-micronet');
  await expect(hint.getByTestId('first-run-model')).toHaveAttribute('data-done', 'true');
  const model = panel(page, 'Model');
  await expect(model.getByTestId('model-notice')).toContainText(
    'Imported trained_model.pth: osi-micronet with an early-exit head',
  );
  await expect(model.getByTestId('checkpoint-format')).toContainText('PyTorch legacy');
  expect(viewParam(page)).toBe('model'); // the helper's panel opened the Model view

  // 2. A small test slice, in the Data view the hint points to: labels fine and coarse.
  await hint.getByRole('button', { name: 'Data view' }).click();
  const data = page.getByRole('region', { name: /Data/ });
  const files = writeSliceFiles(1, TEST_RECORDS);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.test]);
  await expect(data.getByTestId('count-test')).toContainText(String(TEST_RECORDS));
  await expect(page.getByTestId('nav-data-status')).toHaveText('loaded');
  await expect(page.getByTestId('header-dataset')).toHaveText(`${TEST_RECORDS} test images`);
  const grid = data.getByTestId('sample-grid');
  await expect(grid.locator('.sample-coarse')).toHaveCount(24);
  for (const c of await grid.locator('.sample-coarse').allTextContents())
    expect(COARSE_NAMES).toContain(c);
  for (const f of await grid.locator('.sample-label').allTextContents())
    expect(FINE_NAMES).toContain(f);

  // 3. Compress: the score as counted at once, then the accuracy measured on the slice.
  await page.getByTestId('nav-compress').click();
  expect(viewParam(page)).toBe('compress');
  const score = page.getByRole('region', { name: /Score/ });
  await expect(score.getByTestId('score-value')).toHaveText('0.006267');
  await expect(page.getByTestId('header-score')).toHaveText('0.006267');
  await expect(page.getByTestId('nav-compress-status')).toHaveText('scored');
  await score.getByRole('button', { name: 'Measure now' }).click();
  await expect(score.getByTestId('validation-top1')).toHaveText(/\d+\.\d\d %/, {
    timeout: 60_000,
  });
  await expect(page.getByTestId('nav-compress-status')).toHaveText('measured');
  await expect(hint.getByTestId('first-run-compress')).toHaveAttribute('data-done', 'true');
  const unnamedCharts = page.locator('svg.recharts-surface[tabindex]:not([aria-label])');
  await expect(page.locator('svg.recharts-surface[tabindex]').first()).toBeVisible();
  await expect(unnamedCharts).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('compress-view.png'), fullPage: true });

  // History through the navigation; a reload with the view in the URL opens it again.
  await page.getByTestId('nav-history').click();
  expect(viewParam(page)).toBe('history');
  const history = page.getByRole('region', { name: /History/ });
  await expect(history.locator('[data-testid="history-row"][data-kind="import"]')).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId('nav-history')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('region', { name: /History/ })).toBeVisible();
  await expect(page.getByRole('region', { name: /Score/ })).toBeHidden();
  await page.goBack(); // Back: the view before (Compress, its entry from before the reload)
  await expect(page.getByTestId('nav-compress')).toHaveAttribute('aria-current', 'page');

  // The hint, dismissed, stays away after a reload; a link opens its view directly.
  await page.getByTestId('first-run-hint').getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('first-run-hint')).toHaveCount(0);
  await openLab(page, '/?view=score');
  await expect(page.getByTestId('nav-compress')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('first-run-hint')).toHaveCount(0);
  expect(lines.filter((l) => l.includes('[page:error]'))).toEqual([]);
});
