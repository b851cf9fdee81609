// Download fetches the archive through the app's own /download proxy (pointed at a local server
// by CIFAR_ARCHIVE_URL) with a progress bar; a reload restores the dataset from IndexedDB; the
// cache can be cleared.
import { expect, test } from '@playwright/test';
import { panels } from './helpers';

test('download with progress, reload from cache, clear cache', async ({ page }) => {
  await page.goto('/');
  const { data } = panels(page);
  await expect(data.getByTestId('cache-info')).toContainText('empty');

  await data.getByRole('button', { name: 'Download CIFAR-100' }).click();
  const progress = data.getByTestId('progress-load');
  await expect(progress).toBeVisible();
  await expect(progress.getByRole('progressbar', { name: 'Data loading progress' })).toBeVisible();
  await expect(progress).toContainText('Downloading cifar-100-binary.tar.gz');
  await expect(data.getByTestId('data-notice')).toContainText(
    'Loaded 500 train and 200 test images from the downloaded archive',
  );
  await expect(progress).toHaveCount(0);
  await expect(data.getByTestId('count-train')).toContainText('500');
  await expect(data.getByTestId('count-test')).toContainText('200');
  await expect(data.getByTestId('cache-info')).toContainText('MB');

  await page.reload();
  await expect(data.getByTestId('data-notice')).toContainText(
    'Restored 500 train and 200 test images from the browser cache',
  );
  await expect(data.getByTestId('count-train')).toContainText('500');
  await expect(data.getByTestId('sample-grid').locator('canvas')).toHaveCount(24);

  await data.getByRole('button', { name: 'Clear cache' }).click();
  await expect(data.getByTestId('cache-info')).toContainText('empty');
  await page.reload();
  await expect(data.getByTestId('cache-info')).toContainText('empty');
  await expect(data.getByTestId('count-train')).toContainText('—');
});
