/**
 * Main-thread side of the lab worker: one module worker, wrapped by Comlink. Also exposes a tiny
 * hook for tests and benchmarks: `window.__lab.debugInfo()` (which tfjs backend and WebGPU adapter
 * the worker really uses), `window.__lab.benchmark(request)` (bench/browser-throughput.ts) and
 * `window.__lab.benchmarkCheckpoint(request)` (bench/browser-osi.ts) and
 * `window.__lab.debugUseNetwork(request)` (bench/browser-score-drag.ts).
 */
import * as Comlink from 'comlink';
import type { LabApi } from './lab-api.ts';

export type LabRemote = Comlink.Remote<LabApi>;

let remote: LabRemote | null = null;

export function getLab(): LabRemote {
  if (remote) return remote;
  const worker = new Worker(new URL('./lab.worker.ts', import.meta.url), {
    type: 'module',
    name: 'micronet-lab',
  });
  remote = Comlink.wrap<LabApi>(worker);
  const lab = remote;
  (window as unknown as { __lab?: unknown }).__lab = {
    debugInfo: () => lab.debugInfo(),
    benchmark: (request: Parameters<LabApi['benchmark']>[0]) => lab.benchmark(request),
    benchmarkCheckpoint: (r: CheckpointUrls) => benchmarkCheckpoint(lab, r),
    logitsOfCheckpoint: (r: Parameters<LabApi['logitsOfCheckpoint']>[0]) =>
      lab.logitsOfCheckpoint(r),
    debugUseNetwork: (r: Parameters<LabApi['debugUseNetwork']>[0]) => debugUseNetwork(lab, r),
  };
  return remote;
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
