import { expect, test } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices.ts';
import { captureConsole, configureTraining, panels } from './helpers.ts';

for (const b of ['wasm', 'webgl', 'auto']) {
  test(`backend ${b}`, async ({ page }, testInfo) => {
    const lines = captureConsole(page);
    const files = writeSliceFiles(16, 20);
    await page.goto(`/?backend=${b}`);
    const badge = page.getByTestId('backend-badge');
    await expect(badge).not.toHaveAttribute('data-backend', '');
    console.log(b, await badge.innerText());
    const { data, train } = panels(page);
    await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.train, files.test]);
    await configureTraining(page, { model: 'tiny', epochs: 1, batchSize: 8 });
    await train.getByRole('button', { name: 'Start training' }).click();
    const status = train.getByTestId('train-status');
    await expect(status).not.toHaveAttribute('data-status', 'running', { timeout: 90_000 });
    console.log(await status.innerText());
    await page.locator('.backend-fallbacks summary').click().catch(() => {});
    await page.screenshot({ path: testInfo.outputPath(`b.png`) });
    console.log(lines.filter((l) => !l.includes('[page:log]')).join('\n'));
  });
}
