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
 * A Chromium trace of the same drag gives each main-thread task's wall and CPU (thread) time: on
 * a loaded machine wall time includes the time the thread waited for a core, CPU time does not.
 * The drag (thumb pressed → released) and the release (the table and charts catch up) are
 * reported apart. Not a test: nothing asserts on time.
 */
import type { Browser, Page } from '@playwright/test';
import os from 'node:os';
import type { BrowserApp } from './browser-app';
import {
  dist,
  FRAME_MS,
  rendererTasks,
  taskStats,
  TRACE_CATEGORIES,
  type Dist,
  type Task,
  type TaskStats,
} from './main-thread-trace';

const NETWORK = 'pyramidnet-bottleneck-272-a200';
const DRAG_MOVES = 60;
const DRAG_MS = 2000;
const IDLE_MS = 1000;
const RELEASE_MS = 500;
const MARK_DOWN = 'score-drag:down';
const MARK_UP = 'score-drag:up';

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
  /** The renderer main thread's tasks during the drag (Chromium trace, RunTask). */
  tasks: TaskStats;
  /** From the release until RELEASE_MS later: the deferred table and charts catch up. */
  release: {
    longestFrameMs: number;
    longTasks: { count: number; maxMs: number; totalMs: number };
    tasks: TaskStats;
  };
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

/** performance.now() in the page, after a user-timing mark (found again in the trace). */
const mark = (page: Page, name: string): Promise<number> =>
  page.evaluate((n) => {
    performance.mark(n);
    return performance.now();
  }, name);

/** Page times of the drag: thumb pressed, released, and RELEASE_MS after. */
interface DragSpan {
  down: number;
  up: number;
  end: number;
}

/** Drags the global sparsity thumb from 0 to the far right. */
async function drag(page: Page): Promise<DragSpan> {
  const slider = page.getByTestId('global-sparsity');
  await slider.scrollIntoViewIfNeeded();
  const box = await slider.boundingBox();
  if (!box) throw new Error('score drag: the global sparsity slider has no box');
  const y = box.y + box.height / 2;
  const at = (f: number) => box.x + 8 + f * (box.width - 16);
  await page.mouse.move(at(0), y);
  const down = await mark(page, MARK_DOWN);
  await page.mouse.down();
  const t0 = Date.now();
  for (let i = 1; i <= DRAG_MOVES; i++) {
    const wait = t0 + (i * DRAG_MS) / DRAG_MOVES - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await page.mouse.move(at(i / DRAG_MOVES), y);
  }
  const up = await mark(page, MARK_UP);
  await page.mouse.up();
  await new Promise((r) => setTimeout(r, RELEASE_MS)); // the table and charts catch up
  return { down, up, end: await mark(page, 'score-drag:end') };
}

const intervals = (fs: number[]) => fs.slice(1).map((t, i) => t - fs[i]!);

function longTaskStats(xs: PageRecord['longTasks']): ScoreDragRow['longTasks'] {
  return {
    count: xs.length,
    maxMs: Math.max(0, ...xs.map((x) => x.duration)),
    totalMs: xs.reduce((a, x) => a + x.duration, 0),
  };
}

/** Per input event: time to the score text's DOM update and to the paint after it. */
function inputLatency(rec: PageRecord, inputs: number[]): { toDom: number[]; toPaint: number[] } {
  const toDom: number[] = [];
  const toPaint: number[] = [];
  inputs.forEach((t, i) => {
    const next = inputs[i + 1] ?? Infinity;
    const p = rec.paints.find(([dom]) => dom >= t && dom < next);
    if (!p) return; // coalesced with the next input, or no visible change
    toDom.push(p[0] - t);
    toPaint.push(p[1] - t);
  });
  return { toDom, toPaint };
}

interface Measured {
  network: string;
  layers: number;
  setupSeconds: number;
  idle: number[];
  rec: PageRecord;
  span: DragSpan;
  tasks: { drag: Task[]; release: Task[] };
}

function summarize(m: Measured): ScoreDragRow {
  const { rec, span } = m;
  const during = (t: number) => t >= span.down && t < span.up;
  const after = (t: number) => t >= span.up && t <= span.end;
  const frames = intervals(rec.frames.filter(during));
  const events = rec.events.filter((x) => during(x.start));
  const inputs = rec.inputs.filter(during);
  const { toDom, toPaint } = inputLatency(rec, inputs);
  return {
    network: m.network,
    layers: m.layers,
    moves: DRAG_MOVES,
    inputs: inputs.length,
    scoreUpdates: new Set(rec.paints.filter(([d]) => during(d)).map((p) => p[2])).size,
    dragMs: span.up - span.down,
    idleFrames: dist(m.idle),
    frames: dist(frames),
    framesOverBudget: frames.filter((x) => x > 1.5 * FRAME_MS).length,
    longTasks: longTaskStats(rec.longTasks.filter((x) => during(x.start))),
    slowEvents: {
      count: events.length,
      maxMs: Math.max(0, ...events.map((x) => x.duration)),
      names: [...new Set(events.map((x) => x.name))],
    },
    inputToDom: dist(toDom),
    inputToPaint: dist(toPaint),
    tasks: taskStats(m.tasks.drag),
    release: {
      longestFrameMs: Math.max(0, ...intervals(rec.frames.filter(after))),
      longTasks: longTaskStats(rec.longTasks.filter((x) => after(x.start))),
      tasks: taskStats(m.tasks.release),
    },
    setupSeconds: m.setupSeconds,
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

/** Drags while the browser records a trace; the renderer main thread's tasks come back too. */
async function tracedDrag(
  browser: Browser,
  page: Page,
): Promise<{ span: DragSpan; tasks: { drag: Task[]; release: Task[] } }> {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  let span: DragSpan;
  try {
    span = await drag(page);
  } catch (e) {
    await browser.stopTracing();
    throw e;
  }
  const trace = await browser.stopTracing();
  return { span, tasks: rendererTasks(trace, MARK_DOWN, MARK_UP) };
}

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
    const context = page.getByTestId('score-context').filter({ hasText: `${name},` });
    await context.waitFor({ timeout: 300_000 });
    await page.waitForFunction(
      () =>
        /^\d+\.\d{4,6}$/.test(
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
    const table = page.getByTestId('layer-table');
    const tableBefore = await table.innerText();
    const idle = await idleFrames(page, IDLE_MS);
    await instrument(page);
    const { span, tasks } = await tracedDrag(app.browser, page);
    const rec = await collect(page);
    if ((await score.textContent()) === before)
      throw new Error(`score drag: the score of ${name} did not change (${before})`);
    if ((await table.innerText()) === tableBefore)
      throw new Error(`score drag: the layer table of ${name} did not follow the release`);
    return summarize({ network: name, layers, setupSeconds, idle, rec, span, tasks });
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
          `input→paint p95 ${f1(r.inputToPaint.p95Ms)} ms, ` +
          `tasks over a frame: ${r.tasks.wallOverFrame} wall / ${r.tasks.cpuOverFrame} cpu (max cpu ${f1(r.tasks.cpu.maxMs)} ms); ` +
          `release: longest frame ${f1(r.release.longestFrameMs)} ms, max task cpu ${f1(r.release.tasks.cpu.maxMs)} ms`,
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
const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '—');
const d3 = (d: Dist): string => `${f1(d.p50Ms)} / ${f1(d.p95Ms)} / ${f1(d.maxMs)}`;

function verdict(r: ScoreDragRow): string {
  const t = r.tasks;
  const cpu =
    t.cpuOverFrame === 0
      ? `no main-thread task used more than one frame of CPU (longest ${f1(t.cpu.maxMs)} ms)`
      : `${t.cpuOverFrame} of ${t.n} main-thread tasks used more than one frame of CPU (longest ${f1(t.cpu.maxMs)} ms, ${f1(t.cpu.maxMs - FRAME_MS)} ms over, ${f0(t.longestCpuAtMs)} ms after the press)`;
  const worst = r.frames.maxMs;
  const wall =
    r.framesOverBudget === 0
      ? `no frame missed (longest interval ${f1(worst)} ms)`
      : `${r.framesOverBudget} of ${r.frames.n} frame intervals over 1.5 frames, longest ${f1(worst)} ms (${f1(worst - FRAME_MS)} ms over one frame)`;
  const slow =
    r.slowEvents.count === 0
      ? ''
      : `; Event Timing ≥ 16 ms: ${r.slowEvents.count} (${r.slowEvents.names.join(', ')}; max ${f1(r.slowEvents.maxMs)} ms)`;
  return `while dragging, ${cpu}; wall clock: ${wall}${slow}`;
}

/** The BENCHMARKS.md section. */
export function scoreDragSection(r: ScoreDragResult | null | undefined): string[] {
  const lines = [
    '## Live score: dragging the sparsity slider (main thread)',
    '',
    `Chromium, production build, \`?backend=wasm\`; PyramidNet-272 α200 (bottleneck) with seeded initial weights made current through \`window.__lab.debugUseNetwork\` (src/worker/debug-network.ts), as built and in the synthetic factorized form (src/core/models/synthetic-factorize.ts). The global sparsity thumb is dragged with real mouse events (${DRAG_MOVES} moves over ~${DRAG_MS / 1000} s, each waiting for the page to take it). Each value change re-scores on the main thread (profile lookup + scoreNetwork) and re-renders the headline score at once; the per-layer chart, the reference chart and the virtualised layer table keep their values while the thumb is held and catch up on the release. Measured in the page: requestAnimationFrame intervals (one frame = ${f1(FRAME_MS)} ms at 60 Hz; a missed frame = an interval over 1.5 frames), 'longtask' entries (> 50 ms), Event Timing entries ≥ 16 ms, and per input event the time until the score text changed in the DOM and until the task after the next frame; from a Chromium trace of the same drag, each main-thread task's wall time and CPU (thread) time. On a loaded machine wall time includes the time the thread waited for a core; CPU time is the work itself. \`npm run bench -- --only score-drag\` (bench/browser-score-drag.ts). Target: no frame blocked longer than one frame.`,
    '',
  ];
  if (!r) return [...lines, 'Not measured.', ''];
  lines.push(
    `Measured ${r.date}, Chromium ${r.browser}; load average ${f1(r.loadAverage)} when the section started, on 2 shared cores: every wall-clock figure is stretched by the other work.`,
    '',
    'While the thumb is held:',
    '',
    '| network | layers | inputs / score texts | frame interval p50 / p95 / max (ms) | missed frames | long tasks (max ms) | tasks > 1 frame: wall / CPU | task CPU p95 / max (ms) | input → score in DOM p50 / p95 / max (ms) | input → painted p50 / p95 / max (ms) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (x) =>
        `| ${x.network} | ${x.layers} | ${x.inputs} / ${x.scoreUpdates} | ${d3(x.frames)} | ${x.framesOverBudget} of ${x.frames.n} | ${x.longTasks.count} (${f1(x.longTasks.maxMs)}) | ${x.tasks.wallOverFrame} / ${x.tasks.cpuOverFrame} of ${x.tasks.n} | ${f1(x.tasks.cpu.p95Ms)} / ${f1(x.tasks.cpu.maxMs)} | ${d3(x.inputToDom)} | ${d3(x.inputToPaint)} |`,
    ),
    '',
    `After the release (${RELEASE_MS} ms: the table and charts catch up), the idle page, and the setup:`,
    '',
    '| network | longest frame interval (ms) | long tasks (max ms) | longest task wall / CPU (ms) | idle frame interval p50 / max (ms) | network made current + scored (s) |',
    '|---|---|---|---|---|---|',
    ...r.rows.map(
      (x) =>
        `| ${x.network} | ${f1(x.release.longestFrameMs)} | ${x.release.longTasks.count} (${f1(x.release.longTasks.maxMs)}) | ${f1(x.release.tasks.wall.maxMs)} / ${f1(x.release.tasks.cpu.maxMs)} | ${f1(x.idleFrames.p50Ms)} / ${f1(x.idleFrames.maxMs)} | ${f1(x.setupSeconds)} |`,
    ),
    '',
    ...r.rows.map((x) => `- ${x.network}: ${verdict(x)}.`),
    '',
  );
  for (const e of r.errors) lines.push(`- failed: ${e}`);
  if (r.errors.length > 0) lines.push('');
  return lines;
}
