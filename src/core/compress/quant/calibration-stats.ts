/**
 * One calibration batch's statistics of every quantized layer input (calibrate.ts): the mean and
 * unbiased std over all the input's values in the batch, and (for the MSE exponent search) every
 * ⌈size / MSE_SAMPLE⌉-th value of the flattened input. Eval forward with an input hook. A batch
 * larger than one forward may hold runs as micro-batches (train/pass-memory.ts: automatic on
 * wasm and cpu): their means and squared deviations are combined exactly in float64 (Chan, Golub &
 * LeVeque 1979), and the strided samples continue across micro-batches, so the result is the
 * whole batch's up to float rounding (bit-identical when the batch runs whole).
 */
import * as tf from '@tensorflow/tfjs-core';
import { forward, type ParamLookup } from '../../graph/forward';
import type { Graph, GraphNode } from '../../graph/ir';
import {
  microBatchRanges,
  passMicroBatch,
  type MicroBatchOptions,
  type MicroRange,
} from '../../train/pass-memory';

/** Values kept per layer input and batch for the MSE exponent search (a strided sample). */
export const MSE_SAMPLE = 16384;

/** One layer input's statistics in one batch (sample only for the MSE method). */
export interface InputStats {
  mean: number;
  std: number;
  sample?: Float32Array;
}

/** The same over part of a batch, with its value count (for combining parts). */
interface PartStats extends InputStats {
  count: number;
}

export interface StatsPass extends MicroBatchOptions {
  graph: Graph;
  params: ParamLookup;
}

/** [mean, unbiased std] of all values of x: float32 [2]. */
function meanStd(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const mean = tf.mean(x);
    const n = x.size;
    const sq = tf.sum(tf.square(tf.sub(x, mean)));
    const std = n > 1 ? tf.sqrt(tf.div(sq, n - 1)) : tf.scalar(0);
    return tf.stack([mean, std]) as tf.Tensor1D;
  });
}

/**
 * Every stride-th value of the whole batch's flattened input, stride = ⌈batch size / MSE_SAMPLE⌉,
 * that falls in this part (x = the input of images [r.start, r.start + r.size) of `n`).
 */
function sample(x: tf.Tensor, r: MicroRange, n: number): tf.Tensor1D | null {
  const perImage = x.size / r.size;
  const stride = Math.max(1, Math.ceil((perImage * n) / MSE_SAMPLE));
  const offset = r.start * perImage;
  const begin = (stride - (offset % stride)) % stride;
  if (begin >= x.size) return null;
  return tf.tidy(
    () => tf.stridedSlice(tf.reshape(x, [-1]), [begin], [x.size], [stride]) as tf.Tensor1D,
  );
}

/** One eval forward over part `r` of a batch of `n`; layer name → its input's statistics. */
async function partStats(
  o: StatsPass,
  x: tf.Tensor4D,
  layers: ReadonlyMap<string, number>,
  part: { r: MicroRange; n: number; withSample: boolean },
): Promise<Map<string, PartStats>> {
  const names: string[] = [];
  const counts: number[] = [];
  const kept: tf.Tensor[] = [];
  const samples: (tf.Tensor | null)[] = [];
  const inputHook = (node: GraphNode, ins: tf.Tensor[]) => {
    if (layers.has(node.name)) {
      names.push(node.name);
      counts.push(ins[0]!.size);
      kept.push(tf.keep(meanStd(ins[0]!)));
      if (part.withSample) {
        const s = sample(ins[0]!, part.r, part.n);
        samples.push(s && tf.keep(s));
      }
    }
    return ins;
  };
  let packed: tf.Tensor | undefined;
  try {
    const r = forward(o.graph, o.params, x, { training: false, inputHook });
    tf.dispose([r.output, ...Object.values(r.extra)]);
    packed = tf.concat(kept);
    const v = await packed.data();
    const sampled = await Promise.all(samples.map((t) => t?.data() as Promise<Float32Array>));
    return new Map(
      names.map((name, i) => {
        const stats = { count: counts[i]!, mean: v[2 * i]!, std: v[2 * i + 1]! };
        return [name, { ...stats, sample: part.withSample ? sampled[i] : undefined }];
      }),
    );
  } finally {
    tf.dispose([...kept, ...samples.filter((t) => t !== null), ...(packed ? [packed] : [])]);
  }
}

function concatSamples(a?: Float32Array, b?: Float32Array): Float32Array | undefined {
  if (!a || !b) return a ?? b;
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Statistics of parts a and b together (parallel mean / squared-deviation update). */
export function combineParts(a: PartStats, b: PartStats): PartStats {
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  const m2 = (s: PartStats) => s.std * s.std * Math.max(0, s.count - 1);
  const sq = m2(a) + m2(b) + (delta * delta * a.count * b.count) / count;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    std: count > 1 ? Math.sqrt(sq / (count - 1)) : 0,
    sample: concatSamples(a.sample, b.sample),
  };
}

/** Layer name → statistics of its input over the batch x (see the header). */
export async function batchStats(
  o: StatsPass,
  x: tf.Tensor4D,
  layers: ReadonlyMap<string, number>,
  withSample: boolean,
): Promise<Map<string, InputStats>> {
  const n = x.shape[0];
  const out = new Map<string, PartStats>();
  for (const r of microBatchRanges(n, passMicroBatch(n, o.graph, 'forward', o))) {
    const part = r.size === n ? x : tf.slice(x, [r.start, 0, 0, 0], [r.size, -1, -1, -1]);
    try {
      for (const [name, s] of await partStats(o, part, layers, { r, n, withSample })) {
        const prev = out.get(name);
        out.set(name, prev ? combineParts(prev, s) : s);
      }
    } finally {
      if (part !== x) part.dispose();
    }
  }
  return new Map(
    [...out].map(([name, s]) => [name, { mean: s.mean, std: s.std, sample: s.sample }]),
  );
}
