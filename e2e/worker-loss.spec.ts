// A worker lost in the middle of any job is replaced, and the job can be restarted with one
// click. Tiny net (untrained), wasm backend, 64 train / 600 test images, a recipe in the URL.
// (1) The worker is killed (test hook) while an evaluation runs, then while a Spectra analysis
// runs: each time a new worker answers, the dataset, the network and the recipe are still there,
// the job says "The worker stopped (…) — restarted; … was interrupted." and "Restart job" runs it
// again to the end. (2) A wasm abort that leaves the worker alive but broken (every call fails
// "Aborted()…", as a too-big Spectra analysis did) is noticed from the failed call alone: the
// worker is replaced, the badge and the job say why, and the restart completes.
import { expect, test, type Locator, type Page } from '@playwright/test';
import {
  consoleOnFailure,
  pageErrors,
  countLabWorkers,
  debugInfo,
  openWithTinyNet,
  panels,
  region,
} from './helpers';

const TEST_IMAGES = 600;
const RECIPE = { weightBits: 8 };
const RECIPE_JSON = JSON.stringify(RECIPE);

const consoleLines = consoleOnFailure();

/**
 * In the page: once job `kind` has reported progress from the worker (mid-job), kill the worker.
 * Armed inside the page so that a slow test machine cannot let the kill land after the job.
 */
function armKillOnProgress(page: Page, kind: string): Promise<void> {
  return page.evaluate((k) => {
    return new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const slot = document.querySelector(`[data-testid="progress-${k}"]`);
        const amount = slot?.querySelector('.progress-meta span')?.textContent ?? 'starting…';
        if (amount === 'starting…') return;
        clearInterval(timer);
        (window as unknown as { __lab: { debugKillWorker: () => void } }).__lab.debugKillWorker();
        resolve();
      }, 5);
    });
  }, kind);
}

/** The lab after a worker loss: a new worker answers, and data, network and recipe are kept. */
async function expectRestored(page: Page, workers: () => number, expected: number) {
  await expect(page.getByTestId('recovery-notice')).toHaveAttribute('data-phase', 'idle', {
    timeout: 60_000,
  });
  expect(workers()).toBe(expected);
  expect((await debugInfo(page)).tfBackend).toBe('wasm'); // the new worker answers
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  await expect(panels(page).data.getByTestId('count-test')).toContainText(String(TEST_IMAGES));
  await expect(page.getByTestId('current-network')).toContainText('tiny');
  await expect(page.getByTestId('recipe-json')).toHaveText(RECIPE_JSON);
  expect(decodeURIComponent(page.url())).toContain(`recipe=${RECIPE_JSON}`);
}

/** The job's record after the loss, with its "Restart job" button enabled. */
async function expectInterrupted(panel: Locator, slot: string, text: string): Promise<Locator> {
  const record = panel.getByTestId(`job-interrupted-${slot}`);
  await expect(record).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(record).toContainText(text);
  const restart = record.getByRole('button', { name: 'Restart job' });
  await expect(restart).toBeEnabled();
  return restart;
}

test('a worker killed mid-evaluation and mid-analysis is replaced; the jobs restart', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const workers = countLabWorkers(page);
  await openWithTinyNet(page, 64, TEST_IMAGES, `&recipe=${encodeURIComponent(RECIPE_JSON)}`);
  const { evaluate } = panels(page);
  const killed = 'The worker stopped (it did not answer for 2 s) — restarted;';

  // Evaluation, one image per batch (long enough to be killed in the middle).
  await evaluate.getByLabel('Batch size').fill('1');
  let armed = armKillOnProgress(page, 'evaluate');
  await evaluate.getByRole('button', { name: 'Evaluate' }).click();
  await armed;
  let restart = await expectInterrupted(evaluate, 'evaluate', `${killed} the evaluation was`);
  await expectRestored(page, workers, 2);
  await expect(page.getByTestId('worker-restarts')).toHaveAttribute('data-count', '1');
  await expect(evaluate.getByRole('alert')).toHaveCount(1); // the record only, no second error
  await evaluate.getByLabel('Batch size').fill('100'); // changed: the restart keeps 1
  await restart.click();
  await expect(page.getByTestId('job-interrupted-evaluate')).toHaveCount(0);
  await expect(evaluate.getByLabel('Batch size')).toHaveValue('1');
  await expect(evaluate.getByTestId('eval-results')).toHaveAttribute('data-runs', '2', {
    timeout: 60_000,
  });
  await expect(evaluate.getByTestId('eval-top1')).toHaveText(/%/);

  // Spectra analysis: K-FAC on 2 × 16 train images, the Hessian of the first 16 test images.
  const spectra = region(page, /Spectra/);
  await spectra.getByLabel('K-FAC batches').fill('2');
  await spectra.getByLabel('Batch size').fill('16');
  await spectra.getByLabel('Hessian records').fill('16');
  await spectra.getByLabel('Hessian top-k').fill('3');
  armed = armKillOnProgress(page, 'analyse');
  await spectra.getByRole('button', { name: 'Analyse' }).click();
  await armed;
  restart = await expectInterrupted(spectra, 'analyse', `${killed} the analysis was interrupted.`);
  await expectRestored(page, workers, 3);
  await expect(page.getByTestId('worker-restarts')).toHaveAttribute('data-count', '2');
  await expect(spectra.getByTestId('analysis-error')).toHaveCount(0);
  await restart.click();
  await expect(spectra.getByTestId('factor-spectrum-chart')).toHaveAttribute('data-points', '16', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('job-interrupted-analyse')).toHaveCount(0);
  expect(pageErrors(consoleLines())).toEqual([]);
});

test('a wasm abort that leaves the worker broken is noticed; the worker is replaced', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const workers = countLabWorkers(page);
  await openWithTinyNet(page, 64, TEST_IMAGES, `&recipe=${encodeURIComponent(RECIPE_JSON)}`);
  await page.evaluate(() =>
    (
      window as unknown as { __lab: { debugAbortWorker: () => Promise<void> } }
    ).__lab.debugAbortWorker(),
  );
  const { evaluate } = panels(page);
  await evaluate.getByRole('button', { name: 'Evaluate' }).click(); // fails: Aborted()
  const restart = await expectInterrupted(
    evaluate,
    'evaluate',
    'The worker stopped (it failed inside WebAssembly or ran out of memory: Aborted(). Build ' +
      'with -sASSERTIONS for more info.) — restarted; the evaluation was interrupted.',
  );
  await expectRestored(page, workers, 2);
  await expect(page.getByTestId('worker-restarts')).toContainText('Aborted()');
  await restart.click();
  await expect(evaluate.getByTestId('eval-results')).toHaveAttribute('data-runs', '2', {
    timeout: 60_000,
  });
  expect(pageErrors(consoleLines())).toEqual([]);
});
