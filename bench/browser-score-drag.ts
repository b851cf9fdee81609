/**
 * `--only score-drag` (issue 4, req. 5): does dragging the Score panel's global sparsity slider
 * block the main thread for more than one frame? In Chromium (production build, ?backend=wasm:
 * the drag is main-thread work), PyramidNet-272 α200 is made the current network through
 * `window.__lab.debugUseNetwork` (seeded initial weights, plain and in the synthetic factorized
 * form: 816 layers), then the thumb is dragged with real mouse events (DRAG_MOVES moves over
 * about DRAG_MS). Measured in the page: 'longtask' entries (PerformanceObserver), the
 * requestAnimationFrame intervals, Event Timing entries (≥ 16 ms, the browser's own
 * input-to-next-paint), and per input event the time to the score text's DOM update
 * (MutationObserver) and to the paint after it (rAF, then a message: the task after the frame).
 * Not a test: nothing asserts on time.
 */
import type { Page } from '@playwright/test';
import os from 'node:os';
import type { BrowserApp } from './browser-app';

const NETWORK = 'pyramidnet-bottleneck-272-a200';
const DRAG_MOVES = 60;
const DRAG_MS = 2000;
const IDLE_MS = 1000;
/** One frame at 60 Hz. */
export const FRAME_MS = 1000 / 60;

export interface Dist {
  n: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface ScoreDragRow {
  network: string;
  /** conv / dense layers with their own sparsity (the table's prunable rows). */
  layers: number;
  moves: number;
  /** input events the slider fired (one per value change). */
  inputs: number;
  /** Distinct score texts painted during the drag. */
  scoreUpdates: number;
  dragMs: number;
  /** rAF intervals while nothing happens (the page's own frame rate). */
  idleFrames: Dist;
  /** rAF intervals during the drag. */
  frames: Dist;
  /** Intervals longer than 1.5 frames (a frame was missed). */
  framesOverBudget: number;
  longTasks: { count: number; maxMs: number; totalMs: number };
  /** Event Timing entries ≥ 16 ms during the drag (input → next paint). */
  slowEvents: { count: number; maxMs: number; names: string[] };
  /** Input event → score text changed in the DOM (the synchronous re-score + React commit). */
  inputToDom: Dist;
  /** Input event → the task after the next frame painted the new score. */
  inputToPaint: Dist;
  /** Seconds from the hook call to the score shown (build, weights, profile, table). */
  setupSeconds: number;
}

export interface ScoreDragResult {
  date: string;
  browser: string;
  loadAverage: number;
  rows: ScoreDragRow[];
  errors: string[];
}

function dist(xs: number[]): Dist {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { n: s.length, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: s[s.length - 1] ?? NaN };
}

/** Raw records the page keeps (window.__drag). */
interface PageRecord {
  frames: number[];
  longTasks: { start: number; duration: number }[];
  events: { name: string; start: number; duration: number }[];
  inputs: number[];
  /** [DOM update time, after-paint time, score text] per score change. */
  paints: [number, number, string][];
}

/** Installs the observers; `window.__drag` collects until `__drag.stop = true`. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const rec = {
      frames: [] as number[],
      longTasks: [] as { start: number; duration: number }[],
      events: [] as { name: string; start: number; duration: number }[],
      inputs: [] as number[],
      paints: [] as [number, number, string][],
      stop: false,
    };
    (window as unknown as { __drag: typeof rec }).__drag = rec;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries())
        rec.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' });
    new PerformanceObserver((l) => {
      for (const e of l.getEntries())
        rec.events.push({ name: e.name, start: e.startTime, duration: e.duration });
    }).observe({ type: 'event', durationThreshold: 16 } as PerformanceObserverInit);
    const frame = (t: number) => {
      rec.frames.push(t);
      if (!rec.stop) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    const slider = document.querySelector('[data-testid="global-sparsity"]')!;
    slider.addEventListener('input', (e) => rec.inputs.push(e.timeStamp), { capture: true });
    const value = document.querySelector('[data-testid="score-value"]')!;
    const channel = new MessageChannel();
    const waiting: [number, string][] = [];
    channel.port1.onmessage = () => {
      const w = waiting.shift();
      if (w) rec.paints.push([w[0], performance.now(), w[1]]);
    };
    new MutationObserver(() => {
      const t = performance.now();
      const text = value.textContent ?? '';
      requestAnimationFrame(() => {
        waiting.push([t, text]);
        channel.port2.postMessage(0);
      });
    }).observe(value, { childList: true, characterData: true, subtree: true });
  });
}

async function collect(page: Page): Promise<PageRecord> {
  return page.evaluate(async () => {
    const rec = (window as unknown as { __drag: PageRecord & { stop: boolean } }).__drag;
    rec.stop = true;
    await new Promise((r) => setTimeout(r, 50));
    return {
      frames: rec.frames,
      longTasks: rec.longTasks,
      events: rec.events,
      inputs: rec.inputs,
      paints: rec.paints,
    };
  });
}

const now = (page: Page): Promise<number> => page.evaluate(() => performance.now());

/** Drags the global sparsity thumb from 0 to the far right; returns the drag's page-time window. */
async function drag(page: Page): Promise<[number, number]> {
  const slider = page.getByTestId('global-sparsity');
  await slider.scrollIntoViewIfNeeded();
  const box = await slider.boundingBox();
  if (!box) throw new Error('score drag: the global sparsity slider has no box');
  const y = box.y + box.height / 2;
  const at = (f: number) => box.x + 8 + f * (box.width - 16);
  await page.mouse.move(at(0), y);
  const start = await now(page);
  await page.mouse.down();
  const t0 = Date.now();
  for (let i = 1; i <= DRAG_MOVES; i++) {
    const wait = t0 + (i * DRAG_MS) / DRAG_MOVES - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await page.mouse.move(at(i / DRAG_MOVES), y);
  }
  await page.mouse.up();
  await new Promise((r) => setTimeout(r, 300)); // let the last update paint
  return [start, await now(page)];
}

function summarize(
  network: string,
  layers: number,
  setupSeconds: number,
  idle: number[],
  rec: PageRecord,
  [start, end]: [number, number],
): ScoreDragRow {
  const inWindow = (t: number) => t >= start && t <= end;
  const intervals = (fs: number[]) => fs.slice(1).map((t, i) => t - fs[i]!);
  const frames = intervals(rec.frames.filter(inWindow));
  const longTasks = rec.longTasks.filter((x) => inWindow(x.start));
  const events = rec.events.filter((x) => inWindow(x.start));
  const inputs = rec.inputs.filter(inWindow);
  const toDom: number[] = [];
  const toPaint: number[] = [];
  inputs.forEach((t, i) => {
    const next = inputs[i + 1] ?? Infinity;
    const p = rec.paints.find(([dom]) => dom >= t && dom < next);
    if (!p) return; // coalesced with the next input, or no visible change
    toDom.push(p[0] - t);
    toPaint.push(p[1] - t);
  });
  return {
    network,
    layers,
    moves: DRAG_MOVES,
    inputs: inputs.length,
    scoreUpdates: new Set(rec.paints.filter(([d]) => inWindow(d)).map((p) => p[2])).size,
    dragMs: end - start,
    idleFrames: dist(idle),
    frames: dist(frames),
    framesOverBudget: frames.filter((x) => x > 1.5 * FRAME_MS).length,
    longTasks: {
      count: longTasks.length,
      maxMs: Math.max(0, ...longTasks.map((x) => x.duration)),
      totalMs: longTasks.reduce((a, x) => a + x.duration, 0),
    },
    slowEvents: {
      count: events.length,
      maxMs: Math.max(0, ...events.map((x) => x.duration)),
      names: [...new Set(events.map((x) => x.name))],
    },
    inputToDom: dist(toDom),
    inputToPaint: dist(toPaint),
    setupSeconds,
  };
}

/** rAF intervals over `ms` of an idle page. */
async function idleFrames(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(
    (ms) =>
      new Promise<number[]>((resolve) => {
        const ts: number[] = [];
        const t0 = performance.now();
        const f = (t: number) => {
          ts.push(t);
          if (t - t0 < ms) requestAnimationFrame(f);
          else resolve(ts.slice(1).map((x, i) => x - ts[i]!));
        };
        requestAnimationFrame(f);
      }),
    ms,
  );
}

type Hook = {
  debugUseNetwork: (r: { zooName: string; factorized: boolean; seed: number }) => Promise<unknown>;
};

async function measureOne(app: BrowserApp, factorized: boolean): Promise<ScoreDragRow> {
  const page = await app.open('wasm', 'debugUseNetwork');
  try {
    const name = factorized ? `${NETWORK}-factorized` : NETWORK;
    const t0 = Date.now();
    await page.evaluate((r) => (window as unknown as { __lab: Hook }).__lab.debugUseNetwork(r), {
      zooName: NETWORK,
      factorized,
      seed: 1,
    });
    const score = page.getByTestId('score-value');
    await page
      .getByTestId('score-context')
      .filter({ hasText: `${name},` })
      .waitFor({
        timeout: 300_000,
      });
    await page.waitForFunction(
      () =>
        /^\d\.\d{6}$/.test(
          document.querySelector('[data-testid="score-value"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    const setupSeconds = (Date.now() - t0) / 1000;
    const layers = Number(
      /(\d+) prunable layers/.exec(
        (await page.locator('.layer-table-head').textContent()) ?? '',
      )?.[1],
    );
    const before = await score.textContent();
    const idle = await idleFrames(page, IDLE_MS);
    await instrument(page);
    const window_ = await drag(page);
    const rec = await collect(page);
    if ((await score.textContent()) === before)
      throw new Error(`score drag: the score of ${name} did not change (${before})`);
    return summarize(name, layers, setupSeconds, idle, rec, window_);
  } finally {
    await page.close();
  }
}

export async function benchScoreDrag(
  app: BrowserApp,
  log: (s: string) => void,
): Promise<ScoreDragResult> {
  const result: ScoreDragResult = {
    date: new Date().toISOString().slice(0, 10),
    browser: app.browser.version(),
    loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
    rows: [],
    errors: [],
  };
  for (const factorized of [false, true]) {
    log(`score drag: ${NETWORK}${factorized ? ' factorized' : ''}…`);
    try {
      const r = await measureOne(app, factorized);
      log(
        `  frames p50/p95/max ${f1(r.frames.p50Ms)}/${f1(r.frames.p95Ms)}/${f1(r.frames.maxMs)} ms, ` +
          `${r.framesOverBudget} over budget, long tasks ${r.longTasks.count} (max ${f1(r.longTasks.maxMs)} ms), ` +
          `input→paint p95 ${f1(r.inputToPaint.p95Ms)} ms`,
      );
      result.rows.push(r);
    } catch (e) {
      const error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      log(`  failed: ${error}`);
      result.errors.push(`${NETWORK}${factorized ? ' factorized' : ''}: ${error}`);
    }
  }
  return result;
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '—');
const d3 = (d: Dist): string => `${f1(d.p50Ms)} / ${f1(d.p95Ms)} / ${f1(d.maxMs)}`;

function verdict(r: ScoreDragRow): string {
  const worst = r.frames.maxMs;
  if (r.framesOverBudget === 0 && r.longTasks.count === 0)
    return `no frame missed (longest interval ${f1(worst)} ms)`;
  return (
    `${r.framesOverBudget} frame interval(s) over 1.5 frames, longest ${f1(worst)} ms ` +
    `(${f1(worst - FRAME_MS)} ms over one frame)`
  );
}

/** The BENCHMARKS.md section. */
export function scoreDragSection(r: ScoreDragResult | null | undefined): string[] {
  const lines = [
    '## Live score: dragging the sparsity slider (main thread)',
    '',
    `Chromium, production build, \`?backend=wasm\`; PyramidNet-272 α200 (bottleneck) with seeded initial weights made current through \`window.__lab.debugUseNetwork\` (src/worker/debug-network.ts), as built and in the synthetic factorized form (src/core/models/synthetic-factorize.ts). The global sparsity thumb is dragged with real mouse events (${DRAG_MOVES} moves over ~${DRAG_MS / 1000} s); each value change re-scores on the main thread (profile lookup + scoreNetwork) and re-renders the headline at once, the chart and the virtualised layer table deferred. Measured in the page: requestAnimationFrame intervals (one frame = ${f1(FRAME_MS)} ms at 60 Hz; "over budget" = longer than 1.5 frames), 'longtask' entries (> 50 ms), Event Timing entries ≥ 16 ms, and per input event the time to the score text's DOM update and to the task after the next frame (\`npm run bench -- --only score-drag\`; bench/browser-score-drag.ts). Target: no frame blocked longer than one frame.`,
    '',
  ];
  if (!r) return [...lines, 'Not measured.', ''];
  lines.push(
    `Measured ${r.date}, ${r.browser}; load average ${f1(r.loadAverage)} when the section started (2 shared cores: load stretches the tail).`,
    '',
    '| network | layers | inputs / score updates | idle frame p50 / p95 / max (ms) | drag frame p50 / p95 / max (ms) | frames over budget | long tasks (max ms) | events ≥ 16 ms (max ms) | input → DOM p50 / p95 / max (ms) | input → paint p50 / p95 / max (ms) | setup (s) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (x) =>
        `| ${x.network} | ${x.layers} | ${x.inputs} / ${x.scoreUpdates} | ${d3(x.idleFrames)} | ${d3(x.frames)} | ${x.framesOverBudget} of ${x.frames.n} | ${x.longTasks.count} (${f1(x.longTasks.maxMs)}) | ${x.slowEvents.count} (${f1(x.slowEvents.maxMs)}) | ${d3(x.inputToDom)} | ${d3(x.inputToPaint)} | ${f1(x.setupSeconds)} |`,
    ),
    '',
    ...r.rows.map((x) => `- ${x.network}: ${verdict(x)}.`),
    '',
  );
  for (const e of r.errors) lines.push(`- failed: ${e}`);
  if (r.errors.length > 0) lines.push('');
  return lines;
}
