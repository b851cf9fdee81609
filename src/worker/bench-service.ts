/**
 * Throughput benchmark inside the worker, on whatever backend the page selected: the same core
 * measurement `npm run bench` runs in Node (core/bench/throughput.ts), here for Chromium's
 * webgpu / webgl / wasm / cpu backends. Reached through the `window.__lab.benchmark` hook.
 */
import { measureThroughput, type ThroughputResult } from '../core/bench/throughput';
import { buildFromZooName } from '../core/models/zoo';
import { benchCheckpointEval, type CheckpointEvalBench } from '../core/bench/checkpoint-eval';
import { parseRecords, sliceSplit } from '../core/data/cifar-records';

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

export interface CheckpointBenchmarkRequest {
  checkpoint: Uint8Array;
  checkpointName: string;
  /** CIFAR-100 test records in the official binary layout. */
  testData: Uint8Array;
  limit: number;
  batchSize: number;
}

/** A real checkpoint evaluated on the first `limit` test records, in this worker. */
export function runCheckpointBenchmark(
  r: CheckpointBenchmarkRequest,
): Promise<CheckpointEvalBench> {
  const split = sliceSplit(parseRecords(r.testData, 'test.bin'), 0, r.limit);
  return benchCheckpointEval(r.checkpoint, r.checkpointName, split, r.batchSize);
}
