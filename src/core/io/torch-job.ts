/**
 * A "torch job" folder (issue 16): what the PyTorch runner (python/micronet_lab_torch) needs to
 * fine-tune a network under a recipe at scale, and to prove first that it runs the same network.
 *
 *   job.json            manifest { format: "micronet-lab-torch-job", version: 1, model, recipe,
 *                       golden, tolerance, images, zooName, commands }
 *   model.safetensors   the network as a lab checkpoint (lab-checkpoint.ts)
 *   recipe.json         the recipe
 *   golden.safetensors  `images` F32 [N,H,W,C] (normalised NHWC), `labels` I32 [N], the lab's
 *                       eval-mode logits `logits` [N,K] and `extra.<key>` per extra output
 *
 * The files are built here (no file system), so the CLI and the browser can both write them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Graph, Weights } from '../graph/ir';
import { Network } from '../graph/network';
import type { Recipe } from '../recipe';
import { writeLabCheckpoint } from './lab-checkpoint';
import { writeSafetensors, type SafeTensor } from './safetensors';

export const TORCH_JOB_FORMAT = 'micronet-lab-torch-job';
/** Largest |lab − torch| logit difference `python -m micronet_lab_torch check` accepts. */
export const TORCH_JOB_TOLERANCE = 1e-4;

export interface GoldenInputs {
  /** Normalised NHWC images, [n, H, W, C] flattened. */
  x: Float32Array;
  labels: Int32Array;
  /** Where they came from, e.g. "test.bin[0:8]" or "random (seed 0)". */
  source: string;
}

export interface TorchJobInput {
  graph: Graph;
  weights: Weights;
  recipe: Recipe;
  golden: GoldenInputs;
  /** Facts recorded in the checkpoint's info and the manifest (zoo name, exported from, …). */
  info: Record<string, unknown>;
}

export interface TorchJobFiles {
  manifest: Record<string, unknown>;
  /** File name → contents, job.json included. */
  files: Map<string, Uint8Array | string>;
}

function inputShape(graph: Graph): [number, number, number] {
  const spec = graph.nodes.find((n) => n.spec.op === 'input')?.spec;
  if (spec?.op !== 'input') throw new Error(`graph '${graph.name}' has no input node`);
  return [spec.height, spec.width, spec.channels];
}

/** The lab's eval-mode outputs on the golden images: `logits` and `extra.<key>`. */
export function goldenOutputs(
  graph: Graph,
  weights: Weights,
  golden: GoldenInputs,
): Map<string, SafeTensor> {
  const [h, w, c] = inputShape(graph);
  const n = golden.labels.length;
  if (golden.x.length !== n * h * w * c)
    throw new Error(`golden images: ${golden.x.length} values for ${n} × ${h}×${w}×${c}`);
  const net = Network.fromWeights(graph, weights);
  const x = tf.tensor4d(golden.x, [n, h, w, c]);
  try {
    const r = net.forward(x, { training: false });
    const out = new Map<string, SafeTensor>();
    const put = (name: string, t: tf.Tensor) =>
      out.set(name, { dtype: 'F32', shape: [...t.shape], data: t.dataSync() as Float32Array });
    put('logits', r.output);
    for (const [key, t] of Object.entries(r.extra)) put(`extra.${key}`, t);
    tf.dispose([r.output, ...Object.values(r.extra)]);
    return out;
  } finally {
    x.dispose();
    net.dispose();
  }
}

/** Seeded standard-normal images (when no data is at hand): a plain LCG + Box–Muller. */
export function randomGolden(graph: Graph, n: number, seed: number): GoldenInputs {
  const [h, w, c] = inputShape(graph);
  const x = new Float32Array(n * h * w * c);
  let s = seed >>> 0 || 1;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 1) / 4294967297;
  };
  for (let i = 0; i < x.length; i++)
    x[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { x, labels: new Int32Array(n), source: `random normal (seed ${seed})` };
}

/** Every file of the job folder, built in memory. */
export function buildTorchJob(o: TorchJobInput): TorchJobFiles {
  const [h, w, c] = inputShape(o.graph);
  const n = o.golden.labels.length;
  const golden = goldenOutputs(o.graph, o.weights, o.golden);
  golden.set('images', { dtype: 'F32', shape: [n, h, w, c], data: o.golden.x });
  golden.set('labels', { dtype: 'I32', shape: [n], data: o.golden.labels });
  const manifest = {
    format: TORCH_JOB_FORMAT,
    version: 1,
    model: 'model.safetensors',
    recipe: 'recipe.json',
    golden: 'golden.safetensors',
    tolerance: TORCH_JOB_TOLERANCE,
    images: { count: n, source: o.golden.source },
    graph: o.graph.name,
    ...o.info,
    commands: {
      check: 'python3 -m micronet_lab_torch check .',
      train:
        'python3 -m micronet_lab_torch train . --data <cifar-100-binary> --epochs N [--spawn K]',
      torchrun:
        'torchrun --nnodes M --nproc_per_node K -m micronet_lab_torch train . --data <cifar-100-binary>',
    },
  };
  const files = new Map<string, Uint8Array | string>([
    ['job.json', JSON.stringify(manifest, null, 2) + '\n'],
    ['model.safetensors', writeLabCheckpoint(o.graph, o.weights, o.info)],
    ['recipe.json', JSON.stringify(o.recipe, null, 2) + '\n'],
    ['golden.safetensors', writeSafetensors(golden, { format: 'micronet-lab-torch-golden' })],
  ]);
  return { manifest, files };
}
