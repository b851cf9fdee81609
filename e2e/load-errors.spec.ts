// A corrupt file shows an error that names the problem; the previous dataset stays loaded and
// the app keeps working.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readSlice, writeSliceFiles } from './fixtures/cifar-slices';
import { panels } from './helpers';

test('corrupt files show an error and keep the previous dataset', async ({ page }) => {
  const good = writeSliceFiles(30, 40);
  const badDir = fs.mkdtempSync(path.join(path.dirname(good.dir), 'micronet-bad-'));
  const truncated = path.join(badDir, 'test.bin'); // 2 records + 100 stray bytes
  fs.writeFileSync(truncated, readSlice('test.bin', 3).subarray(0, 2 * 3074 + 100));
  const badGzip = path.join(badDir, 'cifar-100-binary.tar.gz');
  fs.writeFileSync(badGzip, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(600, 7)]));

  await page.goto('/');
  // 'auto' on this GPU-less machine: WebGPU's only adapter is SwiftShader and WebGL renders in
  // software, so wasm runs, and the badge says why each faster backend was skipped.
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'wasm', { timeout: 60_000 });
  await badge.getByText(/why not/).click();
  await expect(badge).toContainText(/webgpu: .*software fallback/);
  await expect(badge).toContainText(/webgl: .*software renderer/);
  const { data } = panels(page);
  const input = data.getByLabel('Choose CIFAR-100 files');
  await input.setInputFiles([good.test]);
  await expect(data.getByTestId('count-test')).toContainText('40');
  await expect(data.getByTestId('sample-grid').locator('canvas')).toHaveCount(24);

  await input.setInputFiles([truncated]);
  const error = data.getByTestId('data-error');
  await expect(error).toContainText('test.bin');
  await expect(error).toContainText('not a whole number of 3074-byte');
  await expect(data.getByTestId('count-test')).toContainText('40');
  await expect(data.getByTestId('sample-grid').locator('canvas')).toHaveCount(24);

  await input.setInputFiles([badGzip]);
  await expect(error).toContainText('cifar-100-binary.tar.gz');
  await expect(error).toContainText(/gzip/i);
  await expect(data.getByTestId('count-test')).toContainText('40');

  // Still works: a good train split loads and merges with the kept test split.
  await input.setInputFiles([good.train]);
  await expect(error).toHaveCount(0);
  await expect(data.getByTestId('count-train')).toContainText('30');
  await expect(data.getByTestId('count-test')).toContainText('40');
});
