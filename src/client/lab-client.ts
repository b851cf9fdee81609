/**
 * Main-thread side of the lab worker: one module worker, wrapped by Comlink, and its recovery.
 * The worker counts as lost when it reports an uncaught error ('error' event), when it reports
 * that its WebGPU device was lost, when a heartbeat ping stays unanswered for HANG_AFTER_MS, or
 * when any call fails with a wasm abort, trap or out-of-memory error (brokenWorkerReason: such a
 * worker still answers pings, but every later call fails).
 * Then restartLab terminates it, rejects every call still pending on it (WorkerLostError) and
 * tells the onLabLost listener (store/recovery-slice.ts); the next getLab() starts a new worker
 * and re-initialises its backend with the last preference. Callers must call getLab() for each
 * call (never keep the remote), so they reach the new worker.
 * Test and benchmark hooks on `window.__lab`: debugInfo() (which tfjs backend and WebGPU adapter
 * the worker really uses), benchmark(request) (bench/browser-throughput.ts),
 * benchmarkCheckpoint(request) (bench/browser-osi.ts), debugUseNetwork(request)
 * (bench/browser-score-drag.ts), debugKillWorker() (terminates the worker as a crash would; the
 * heartbeat then finds it silent), debugCrashWorker() (an uncaught error inside the worker),
 * debugAbortWorker() (every later job fails as after a wasm abort, worker/debug-abort.ts) and
 * debugLoseDevice() (destroys the WebGPU device). Only in builds with LAB_DEBUG
 * (protocol/lab-debug.ts: dev server, tests, `VITE_LAB_DEBUG=1 vite build`).
 */
import * as Comlink from 'comlink';
import { LAB_DEBUG } from '../protocol/lab-debug';
import type { LabApi } from '../worker/lab-api';
import type { BackendPreference } from '../worker/lab-types';
import type { LabEvent } from '../worker/session-service';
import { brokenWorkerReason, guardRemote, Heartbeat, WorkerLostError } from './worker-watchdog';

export type LabRemote = Comlink.Remote<LabApi>;
export type { LabEvent };
export { WorkerLostError };

/** How often the main thread pings the worker. */
export const PING_EVERY_MS = 10_000;
/**
 * Silence after which the worker counts as hung. The worker answers between training steps, so
 * this must exceed the longest step that blocks it: a pyramidnet-bottleneck-20 step at batch 32
 * takes 213 s on the cpu backend and 200 s on SwiftShader WebGPU (BENCHMARKS.md). A shorter
 * limit would kill such a run mid-step and resume it into the same step forever; crashes and
 * device losses are reported at once, so only a silent death (e.g. out of memory) waits this long.
 */
export const HANG_AFTER_MS = 300_000;
/** debugKillWorker: the heartbeat deadline after the kill. */
const KILL_DETECT_MS = 2_000;

interface LabWorker {
  worker: Worker;
  /** The raw Comlink remote (heartbeat pings). */
  raw: LabRemote;
  /** The remote handed out: its calls reject when the worker is lost. */
  lab: LabRemote;
  heartbeat: Heartbeat;
  fail: (e: Error) => void;
}

let active: LabWorker | null = null;
let workersStarted = 0;
let initPreference: BackendPreference | null = null;
let lostListener: ((reason: string) => void) | null = null;
const eventListeners = new Set<(e: LabEvent) => void>();

export function getLab(): LabRemote {
  active ??= startWorker();
  return active.lab;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function startWorker(): LabWorker {
  const worker = new Worker(new URL('../worker/lab.worker.ts', import.meta.url), {
    type: 'module',
    name: 'micronet-lab',
  });
  const w = watchWorker(worker);
  if (workersStarted > 0 && initPreference !== null) {
    void w.lab.init(initPreference).catch(() => undefined); // before any other call reaches it
  }
  workersStarted++;
  w.heartbeat.start();
  if (LAB_DEBUG) installHooks(w);
  return w;
}

/** The worker's guarded remote, heartbeat and error / event listeners (not started yet). */
function watchWorker(worker: Worker): LabWorker {
  const raw = Comlink.wrap<LabApi>(worker);
  let fail: (e: Error) => void = () => undefined;
  const dead = new Promise<never>((_, reject) => (fail = reject));
  dead.catch(() => undefined);
  const w: LabWorker = { worker, raw, lab: raw, fail, heartbeat: null as unknown as Heartbeat };
  const onCall = (method: string, args: unknown[]) => {
    if (method === 'init') initPreference = args[0] as BackendPreference;
  };
  w.lab = guardRemote(raw, dead, onCall, (e) => brokenCall(w, e));
  w.heartbeat = new Heartbeat(
    () => raw.ping(),
    (ms) => lost(w, `it did not answer for ${seconds(ms)}`),
    { everyMs: PING_EVERY_MS, hangAfterMs: HANG_AFTER_MS },
  );
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    lost(w, e.message || 'an uncaught error without a message');
  });
  void raw.watch(Comlink.proxy((e: LabEvent) => onWorkerEvent(w, e))).catch(() => undefined);
  return w;
}

function onWorkerEvent(w: LabWorker, e: LabEvent): void {
  if (e.kind === 'device-lost') {
    lost(w, `the WebGPU device was lost: ${e.message}`);
    return;
  }
  for (const fn of eventListeners) fn(e);
}

function lost(w: LabWorker, reason: string): void {
  if (active !== w) return;
  restartLab(reason);
  lostListener?.(reason);
}

function lostMessage(reason: string): string {
  return `The worker stopped (${reason}); this job was interrupted.`;
}

/**
 * A call's rejection: a wasm abort, trap or out-of-memory error leaves the worker answering but
 * broken (every later call fails), so it is replaced like a crashed one and the caller gets a
 * WorkerLostError; any other error passes through.
 */
function brokenCall(w: LabWorker, e: unknown): unknown {
  const reason = brokenWorkerReason(e);
  if (reason === null) return e;
  lost(w, reason);
  return new WorkerLostError(lostMessage(reason));
}

/**
 * Terminates the worker and rejects every call pending on it with a WorkerLostError; the next
 * getLab() starts a new one (with the last backend preference).
 */
export function restartLab(reason: string): void {
  const w = active;
  if (!w) return;
  active = null;
  w.heartbeat.stop();
  w.worker.terminate();
  w.fail(new WorkerLostError(lostMessage(reason)));
}

/** Sets the one listener told (after the restart) why the worker was lost. */
export function onLabLost(fn: ((reason: string) => void) | null): void {
  lostListener = fn;
}

/** Adds a listener of the worker's events (checkpoints, storage errors); returns its removal. */
export function onLabEvent(fn: (e: LabEvent) => void): () => void {
  eventListeners.add(fn);
  return () => eventListeners.delete(fn);
}

/** How many workers were started in this page (1 + restarts). */
export function labWorkersStarted(): number {
  return workersStarted;
}

function installHooks(w: LabWorker): void {
  const lab = w.lab;
  (window as unknown as { __lab?: unknown }).__lab = {
    debugInfo: () => lab.debugInfo(),
    benchmark: (request: Parameters<LabApi['benchmark']>[0]) => lab.benchmark(request),
    benchmarkCheckpoint: (r: CheckpointUrls) => benchmarkCheckpoint(lab, r),
    logitsOfCheckpoint: (r: Parameters<LabApi['logitsOfCheckpoint']>[0]) =>
      lab.logitsOfCheckpoint(r),
    debugUseNetwork: (r: Parameters<LabApi['debugUseNetwork']>[0]) => debugUseNetwork(lab, r),
    debugKillWorker: () => {
      w.worker.terminate();
      void w.heartbeat.probe(KILL_DETECT_MS);
    },
    debugCrashWorker: () => lab.debugCrash(),
    debugAbortWorker: () => lab.debugAbort(),
    debugLoseDevice: () => lab.debugLoseDevice(),
  };
}

interface CheckpointUrls {
  checkpointUrl: string;
  testDataUrl: string;
  limit: number;
  batchSize: number;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Benchmark hook: fetches a checkpoint and test.bin here, transfers them to the worker. */
async function benchmarkCheckpoint(lab: LabRemote, r: CheckpointUrls) {
  const [checkpoint, testData] = await Promise.all([
    fetchBytes(r.checkpointUrl),
    fetchBytes(r.testDataUrl),
  ]);
  const checkpointName = r.checkpointUrl.slice(r.checkpointUrl.lastIndexOf('/') + 1);
  const request = { checkpoint, checkpointName, testData, limit: r.limit, batchSize: r.batchSize };
  return lab.benchmarkCheckpoint(
    Comlink.transfer(request, [checkpoint.buffer as ArrayBuffer, testData.buffer as ArrayBuffer]),
  );
}

/** Dispatched on window when a debug hook changed the worker's current network. */
export const NETWORK_CHANGED_EVENT = 'micronet-lab:network-changed';

/** Benchmark hook: a zoo network becomes current; the page refreshes it (App.tsx listens). */
async function debugUseNetwork(lab: LabRemote, r: Parameters<LabApi['debugUseNetwork']>[0]) {
  const info = await lab.debugUseNetwork(r);
  window.dispatchEvent(new Event(NETWORK_CHANGED_EVENT));
  return info;
}

/** Wraps a callback so the worker can call it across the boundary. */
export function callback<T extends (...args: never[]) => void>(fn: T): T & Comlink.ProxyMarked {
  return Comlink.proxy(fn);
}

let jobCounter = 0;
export function newJobId(kind: string): string {
  jobCounter += 1;
  return `${kind}-${Date.now().toString(36)}-${jobCounter}`;
}

/** True when an error crossed the boundary as a cancellation (data: AbortError, core: CancelledError). */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledError');
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
