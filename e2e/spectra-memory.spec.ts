// The Spectra panel on a network whose activations exhaust the wasm heap in one pass: a lab
// checkpoint written at test time (fixtures/wide-net.ts: the input upsampled to 320×320, ≈ 10 M
// activation values per image; one K-FAC Fisher pass over a batch of 32 ≈ 7 GB, the wasm heap
// ends at 4 GB). K-FAC at the panel's defaults (4 batches of 32) splits into micro-batches, says
// so, and finishes with the worker never lost. The Hessian is set to 0 records: at its default 64
// records its ≈ 70 Hessian-vector products over ≈ 19 GB passes take far longer than a CI budget
// (the OSI entry at its defaults in the browser is measured in BENCHMARKS.md instead).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';
import {
  consoleOnFailure,
  pageErrors,
  countLabWorkers,
  panel,
  panels,
  region,
  openWasm,
} from './helpers';

/** Writes the wide network's lab checkpoint; returns its path and the generator's estimates. */
function wideNetFile(): { file: string; fisherGbAt32: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micronet-wide-'));
  const file = path.join(dir, 'wide-activations.safetensors');
  const out = execFileSync('node', ['scripts/run-bundled.mjs', 'e2e/fixtures/wide-net.ts'], {
    env: { ...process.env, OUT: file },
    encoding: 'utf8',
  });
  const facts = JSON.parse(out.trim().split('\n').pop()!) as { fisherGbAt32: number };
  return { file, fisherGbAt32: facts.fisherGbAt32 };
}

const consoleLines = consoleOnFailure();

test('K-FAC at the default batch on a heap-exhausting network runs in micro-batches', async ({
  page,
}) => {
  test.setTimeout(400_000);
  const { file, fisherGbAt32 } = wideNetFile();
  expect(fisherGbAt32).toBeGreaterThan(4); // one whole pass would not fit the 4 GB heap
  const workers = countLabWorkers(page);
  await openWasm(page);
  const slices = writeSliceFiles(128, 100);
  const { data } = panels(page);
  const model = panel(page, 'Model');
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([slices.train, slices.test]);
  await expect(data.getByTestId('count-train')).toContainText('128');
  await model.getByLabel('Choose a checkpoint file').setInputFiles(file);
  await expect(model.getByTestId('current-network')).toContainText('wide-activations (imported', {
    timeout: 60_000,
  });

  const spectra = region(page, /Spectra/);
  await expect(spectra.getByLabel('K-FAC batches')).toHaveValue('4'); // the defaults
  await expect(spectra.getByLabel('Batch size')).toHaveValue('32');
  await spectra.getByLabel('Hessian records').fill('0');
  await spectra.getByRole('button', { name: 'Analyse' }).click();
  await expect(spectra.getByTestId('analysis-summary')).toContainText('on 128 train records', {
    timeout: 360_000,
  });
  await expect(spectra.getByTestId('analysis-micro-batches')).toContainText(
    /K-FAC Fisher passes: batches of 32 ran as micro-batches of \d+ \(a whole batch ≈ 7\.\d GB\)/,
  );
  // conv1's factors drawn (positive eigenvalues only: the upsampled patches are rank-deficient)
  await expect(spectra.getByTestId('factor-spectrum-chart')).toHaveAttribute(
    'data-points',
    /^[1-9]\d*$/,
  );
  await expect(spectra.getByTestId('analysis-error')).toHaveCount(0);
  await expect(page.getByTestId('worker-restarts')).toHaveCount(0);
  expect(workers()).toBe(1);
  expect(pageErrors(consoleLines())).toEqual([]);
  test.info().annotations.push({
    type: 'split',
    description: (await spectra.getByTestId('analysis-micro-batches').textContent()) ?? '',
  });
});
