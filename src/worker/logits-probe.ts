/**
 * Debug probe: the raw logits of a checkpoint's network for the first `limit` CIFAR-100 test
 * records, on the active backend (eval mode, batches of `batchSize`). Lets the benchmarks compare
 * a backend's numbers with PyTorch's golden logits (bench/osi-logits.ts). Reached in Chromium
 * through `window.__lab.logitsOfCheckpoint`; plain tfjs-core, so it runs in Node too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseRecords, sliceSplit } from '../core/data/cifar-records';
import { imagesToNHWC } from '../core/data/normalize';
import { Network } from '../core/graph/network';
import { modelFromCheckpoint } from '../core/models/model-from-checkpoint';

export interface LogitsProbeRequest {
  checkpoint: Uint8Array;
  checkpointName: string;
  /** CIFAR-100 test records in the official binary layout (at least `limit` of them). */
  testData: Uint8Array;
  limit: number;
  batchSize: number;
}

export interface LogitsProbeResult {
  model: string;
  backend: string;
  n: number;
  numClasses: number;
  /** Main logits, row-major [n, numClasses]. */
  main: Float32Array;
  /** Each extra output of the graph (e.g. `exit`), row-major [n, …]. */
  extra: Record<string, Float32Array>;
  seconds: number;
}

function append(into: Map<string, Float32Array[]>, key: string, data: Float32Array): void {
  const list = into.get(key) ?? [];
  list.push(data);
  into.set(key, list);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One eval-mode batch: main logits and extra outputs, downloaded (async for GPU backends). */
async function runBatch(
  net: Network,
  x4: Float32Array,
  b: number,
  into: Map<string, Float32Array[]>,
) {
  const x = tf.tensor4d(x4, [b, 32, 32, 3]);
  const { output, extra } = net.forward(x, { training: false });
  try {
    append(into, '', (await output.data()) as Float32Array);
    for (const [k, t] of Object.entries(extra)) append(into, k, (await t.data()) as Float32Array);
  } finally {
    tf.dispose([x, output, ...Object.values(extra)]);
  }
}

export async function logitsOfCheckpoint(r: LogitsProbeRequest): Promise<LogitsProbeResult> {
  if (!(Number.isInteger(r.limit) && r.limit > 0))
    throw new Error(`limit must be a positive integer, got ${r.limit}`);
  if (!(Number.isInteger(r.batchSize) && r.batchSize > 0)) {
    throw new Error(`batchSize must be a positive integer, got ${r.batchSize}`);
  }
  const split = sliceSplit(parseRecords(r.testData, 'test.bin'), 0, r.limit);
  const m = await modelFromCheckpoint(r.checkpoint, r.checkpointName);
  const net = Network.fromWeights(m.graph, m.weights);
  const parts = new Map<string, Float32Array[]>();
  try {
    const t0 = performance.now();
    for (let start = 0; start < r.limit; start += r.batchSize) {
      const idx = [...Array(Math.min(r.batchSize, r.limit - start)).keys()].map((i) => start + i);
      await runBatch(net, imagesToNHWC(split, idx), idx.length, parts);
    }
    const seconds = (performance.now() - t0) / 1000;
    const extra: Record<string, Float32Array> = {};
    for (const [k, v] of parts) if (k !== '') extra[k] = concat(v);
    const main = concat(parts.get('') ?? []);
    return {
      model: m.zooName,
      backend: tf.getBackend(),
      n: r.limit,
      numClasses: m.graph.numClasses,
      main,
      extra,
      seconds,
    };
  } finally {
    net.dispose();
  }
}
