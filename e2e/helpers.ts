// Shared e2e helpers: console capture (page + workers), the worker's debug hook, and the panels,
// each in its view of the lab (one view per step: Data, Model, Train & evaluate, Compress,
// History): a panel's locators open its view before every action or assertion.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { writeSliceFiles } from './fixtures/cifar-slices';

export interface DebugInfo {
  tfBackend: string;
  adapter: { vendor: string; architecture: string; isFallbackAdapter: boolean } | null;
  numTensors: number;
}

/** Collects console lines of the page and of every worker it starts. */
export function captureConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`[page:${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[page:error] ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => lines.push(`[worker:${m.type()}] ${m.text()}`)));
  return lines;
}

/**
 * For every test of the calling spec file: captures the console (page + workers), attaches it to
 * the report when the test fails, and saves an end-of-test screenshot. Returns the lines so far.
 */
export function consoleOnFailure(): () => string[] {
  let lines: string[] = [];
  test.beforeEach(({ page }) => {
    lines = captureConsole(page);
  });
  test.afterEach(async ({ page }, testInfo) => {
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('console', { body: lines.join('\n') });
    }
    await page.screenshot({ path: testInfo.outputPath('end.png'), fullPage: true });
  });
  return () => lines;
}

/** Lines of the page's errors among captured console lines. */
export function pageErrors(lines: readonly string[]): string[] {
  return lines.filter((l) => l.startsWith('[page:error]'));
}

/**
 * Counts the lab workers the page starts (1 + restarts); wasm's helper threads, which are workers
 * too when the page is cross-origin isolated, are not counted.
 */
export function countLabWorkers(page: Page): () => number {
  let n = 0;
  page.on('worker', (w) => {
    if (/lab\.worker/.test(w.url())) n++;
  });
  return () => n;
}

export function debugInfo(page: Page): Promise<DebugInfo> {
  return page.evaluate(() =>
    (window as unknown as { __lab: { debugInfo: () => Promise<DebugInfo> } }).__lab.debugInfo(),
  );
}

/** Opens the lab on the wasm backend (`extra`: more query, e.g. '&recipe=…') and waits for it. */
export async function openWasm(page: Page, extra = ''): Promise<void> {
  await page.goto(`/?backend=wasm${extra}`);
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm', {
    timeout: 60_000,
  });
}

/** Lines that mean WebGPU silently fell back. */
export const WEBGPU_FAILURE = /No available adapters|Initialization of backend/;

export type LabView = 'data' | 'model' | 'train' | 'compress' | 'history';

/** The view that holds each panel (src/App.tsx). */
const PANEL_VIEWS = {
  Data: 'data',
  Model: 'model',
  Train: 'train',
  Evaluate: 'train',
  Score: 'compress',
  Spectra: 'compress',
  Pruning: 'compress',
  History: 'history',
} as const satisfies Record<string, LabView>;

export type PanelName = keyof typeof PANEL_VIEWS;

/** Opens `view` through the step navigation, unless it is the open one. */
export async function openView(page: Page, view: LabView): Promise<void> {
  const link = page.getByTestId(`nav-${view}`);
  if ((await link.getAttribute('aria-current')) === 'page') return;
  await link.click();
  await expect(link).toHaveAttribute('aria-current', 'page');
}

/** Locator methods that return a Locator: their results open the view too. */
const CHAINED = new Set([
  'locator',
  'within',
  'getByTestId',
  'getByAltText',
  'getByLabel',
  'getByPlaceholder',
  'getByText',
  'getByTitle',
  'getByRole',
  'filter',
  'visible',
  'describe',
  'first',
  'last',
  'nth',
  'and',
  'or',
]);

/** The other synchronous Locator methods; every other public one returns a promise. */
const SYNC = new Set(['page', 'frameLocator', 'contentFrame', 'description', 'toString']);

/** Whether calling `prop` acts on the page (so the view must be open first). */
const acts = (prop: string): boolean =>
  prop === '_expect' || (!prop.startsWith('_') && !SYNC.has(prop) && prop !== 'constructor');

/**
 * `target`, but every call that acts on the page (actions, queries, and `_expect`, which expect()
 * calls) first opens `view`; locators derived from it do the same.
 */
export function inView(page: Page, view: LabView, target: Locator): Locator {
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (CHAINED.has(prop)) {
        return (...args: unknown[]) => inView(page, view, fn.apply(t, args) as Locator);
      }
      if (!acts(prop)) return fn.bind(t);
      return async (...args: unknown[]) => {
        await openView(page, view);
        return fn.apply(t, args);
      };
    },
  });
}

/** A panel (a section labelled by its heading), opening its view when used. */
export function panel(page: Page, name: PanelName): Locator {
  return inView(page, PANEL_VIEWS[name], page.getByRole('region', { name: new RegExp(name) }));
}

/** A panel by a pattern of its heading, e.g. region(page, /Score/). */
export function region(page: Page, name: RegExp): Locator {
  const key = (Object.keys(PANEL_VIEWS) as PanelName[]).find((k) => name.test(k));
  if (!key) throw new Error(`no panel of the lab is named like ${name}`);
  return inView(page, PANEL_VIEWS[key], page.getByRole('region', { name }));
}

/** Locators of the Data, Train and Evaluate panels (each opens its view when used). */
export function panels(page: Page) {
  return {
    data: panel(page, 'Data'),
    train: panel(page, 'Train'),
    evaluate: panel(page, 'Evaluate'),
  };
}

/** openWasm(page, extra), then `train` / `test` records of the real files loaded in the Data panel. */
export async function openWithSlices(
  page: Page,
  train: number,
  test: number,
  extra = '',
): Promise<void> {
  await openWasm(page, extra);
  const files = writeSliceFiles(train, test);
  const { data } = panels(page);
  await data.getByLabel('Choose CIFAR-100 files').setInputFiles([files.train, files.test]);
  await expect(data.getByTestId('count-test')).toContainText(String(test));
}

/** openWithSlices, then the untrained tiny net made current and evaluated once. */
export async function openWithTinyNet(
  page: Page,
  train: number,
  test: number,
  extra = '',
): Promise<void> {
  await openWithSlices(page, train, test, extra);
  const p = panels(page);
  await p.train.getByLabel('Network').selectOption('tiny');
  await p.evaluate.getByRole('button', { name: 'Evaluate' }).click();
  await expect(p.evaluate.getByTestId('eval-results')).toHaveAttribute('data-runs', '1', {
    timeout: 60_000,
  });
}

/** Picks a network and sets epochs / batch size in the Train panel. */
export async function configureTraining(
  page: Page,
  o: { model: string; epochs: number; batchSize: number; learningRate?: number },
): Promise<void> {
  const { train } = panels(page);
  await train.getByLabel('Network').selectOption(o.model);
  await train.getByLabel('Epochs').fill(String(o.epochs));
  await train.getByLabel('Batch size').fill(String(o.batchSize));
  if (o.learningRate !== undefined) {
    await train.getByLabel('Learning rate').fill(String(o.learningRate));
  }
}
