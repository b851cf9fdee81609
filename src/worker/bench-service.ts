/**
 * Throughput benchmark inside the worker, on whatever backend the page selected: the same core
 * measurement `npm run bench` runs in Node (core/bench/throughput.ts), here for Chromium's
 * webgpu / webgl / wasm / cpu backends. Reached through the `window.__lab.benchmark` hook.
 */
import { measureThroughput, type ThroughputResult } from '../core/bench/throughput.ts';
import { buildFromZooName } from '../core/models/zoo.ts';

export interface BenchmarkRequest {
  model: string;
  batchSize: number;
  trainSteps: number;
  evalBatches: number;
}

export function runBenchmark(r: BenchmarkRequest): Promise<ThroughputResult> {
  return measureThroughput({
    graph: buildFromZooName(r.model),
    batchSize: r.batchSize,
    trainSteps: r.trainSteps,
    evalBatches: r.evalBatches,
  });
}
