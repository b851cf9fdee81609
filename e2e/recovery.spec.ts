// Surviving the unexpected: the tiny net trains for 3 epochs (checkpointed at each epoch end).
// (1) The worker is killed (test hook) the moment epoch 1's checkpoint is reported: the heartbeat
// finds it silent, a new worker restores the dataset and the network, and the run resumes at
// epoch 2 and finishes, its metrics continuing (every step drawn exactly once). (2) The page is
// reloaded the moment epoch 1's checkpoint is reported, and comes back the same way. The kill /
// reload is armed inside the page so that a slow, loaded test machine cannot let it land late.
// (3) A destroyed WebGPU device is reported, and a new worker takes WebGPU again.
import { expect, test, type Page } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';
import {
  consoleOnFailure,
  pageErrors,
  configureTraining,
  countLabWorkers,
  debugInfo,
  panels,
} from './helpers';

const TRAIN = 240;
const BATCH = 8;
const EPOCHS = 3;
const TOTAL_STEPS = (TRAIN / BATCH) * EPOCHS; // metrics every step (≤ 500 steps)

const consoleLines = consoleOnFailure();

/** Loads the slices and sets up a 3-epoch run of the tiny net (not started). */
async function prepare(page: Page): Promise<void> {
  const files = writeSliceFiles(TRAIN, 20);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm', {
    timeout: 60_000,
  });
  const { data } = panels(page);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.train, files.test]);
  await expect(data.getByTestId('count-train')).toContainText(String(TRAIN));
  await configureTraining(page, { model: 'tiny', epochs: EPOCHS, batchSize: BATCH });
}

/** In the page: as soon as a checkpoint is reported, kill the worker or reload the page. */
function armOnCheckpoint(page: Page, action: 'kill' | 'reload'): Promise<unknown> {
  return page
    .evaluate(
      (act) =>
        new Promise<string>((resolve) => {
          const timer = setInterval(() => {
            const el = document.querySelector('[data-testid="checkpoint-status"]');
            if (!el) return;
            clearInterval(timer);
            const epoch = el.getAttribute('data-epoch') ?? '';
            if (act === 'reload') window.location.reload();
            else
              (
                window as unknown as { __lab: { debugKillWorker: () => void } }
              ).__lab.debugKillWorker();
            resolve(epoch);
          }, 10);
        }),
      action,
    )
    .catch((e: unknown) => e); // a reload destroys the evaluation's context
}

/**
 * The notice after a kill / reload at epoch 1's checkpoint. On a loaded machine the page may see
 * that checkpoint late, when the worker has already saved epoch 2's: then epoch 2 comes back.
 */
function resumedText(opening: string): RegExp {
  const escaped = opening.replace(/[.()]/g, (c) => `\\${c}`);
  const k = '(?:1\\. Training resumes at epoch 2|2\\. Training resumes at epoch 3)';
  return new RegExp(`^${escaped} Restored the dataset and the network from epoch ${k} of 3\\.`);
}

async function expectResumedAndFinished(page: Page): Promise<void> {
  const { train } = panels(page);
  const status = train.getByTestId('train-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(status).toContainText(`Finished ${TOTAL_STEPS} steps`);
  // Saved points up to the checkpoint + the resumed epochs' points: each step exactly once.
  await expect(train.getByTestId('metrics-chart')).toHaveAttribute(
    'data-points',
    String(TOTAL_STEPS),
  );
}

test('a killed worker is detected, restarted, and the run resumes from its checkpoint', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const workers = countLabWorkers(page);
  await prepare(page);
  const armed = armOnCheckpoint(page, 'kill');
  await panels(page).train.getByRole('button', { name: 'Start training' }).click();
  expect(await armed).toBe('1');

  const notice = page.getByTestId('recovery-notice');
  await expect(notice).toHaveAttribute('data-kind', 'crash', { timeout: 30_000 });
  await expect(notice).toContainText(
    resumedText('The worker stopped (it did not answer for 2 s).'),
    {
      timeout: 60_000,
    },
  );
  await expectResumedAndFinished(page);
  expect(workers()).toBe(2);
  expect((await debugInfo(page)).tfBackend).toBe('wasm'); // same preference in the new worker
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  expect(pageErrors(consoleLines())).toEqual([]);
});

test('a reload mid-training comes back and resumes the run', async ({ page }) => {
  test.setTimeout(180_000);
  await prepare(page);
  const armed = armOnCheckpoint(page, 'reload');
  await panels(page).train.getByRole('button', { name: 'Start training' }).click();
  await armed;
  const notice = page.getByTestId('recovery-notice');
  await expect(notice).toHaveAttribute('data-kind', 'reload', { timeout: 60_000 });
  await expect(notice).toContainText(resumedText('Welcome back.'));
  const { data, train } = panels(page);
  await expect(data.getByTestId('count-train')).toContainText(String(TRAIN));
  await expect(train.getByLabel('Epochs')).toHaveValue(String(EPOCHS));
  await expect(train.getByLabel('Network')).toHaveValue('tiny');
  await expectResumedAndFinished(page);
});

test('a lost WebGPU device is reported and a new worker takes WebGPU again', async ({ page }) => {
  test.setTimeout(120_000);
  const workers = countLabWorkers(page);
  await page.goto('/?backend=webgpu'); // SwiftShader here: 'auto' would skip it for wasm
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu', { timeout: 60_000 });
  const destroyed = await page.evaluate(() =>
    (
      window as unknown as { __lab: { debugLoseDevice: () => Promise<boolean> } }
    ).__lab.debugLoseDevice(),
  );
  expect(destroyed).toBe(true);
  const notice = page.getByTestId('recovery-notice');
  await expect(notice).toHaveAttribute('data-phase', 'idle', { timeout: 60_000 });
  await expect(notice).toContainText(
    'The worker stopped (the WebGPU device was lost: destroyed: Device was destroyed).',
  );
  await expect(badge).toHaveAttribute('data-backend', 'webgpu');
  expect((await debugInfo(page)).tfBackend).toBe('webgpu');
  expect(workers()).toBe(2);
});
