/**
 * "Export for PyTorch" in the worker: the current network and the Score panel's recipe as the
 * torch job folder the CLI's `export-torch` writes (core/io/torch-job.ts: the network as a lab
 * checkpoint, the recipe, golden logits, job.json), with README.md and the Python package
 * (./torch-package.ts), zipped into one download (core/io/torch-job-zip.ts). The golden images
 * are the first TORCH_GOLDEN_IMAGES test records when a test split is loaded, else seeded random
 * images (as the CLI without --data); their logits come from the lab's current backend, which
 * job.json records (`goldenBackend`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { imagesToNHWC } from '../core/data/normalize';
import type { CifarDataset } from '../core/data/types';
import type { Graph } from '../core/graph/ir';
import { buildTorchJob, randomGolden, type GoldenInputs } from '../core/io/torch-job';
import { torchJobFolder, torchJobZip } from '../core/io/torch-job-zip';
import { validateRecipe, type Recipe } from '../core/recipe/index';
import type { CurrentNetwork } from './current-network';
import type { BackendInfo, JobProgress, TorchExportResult } from './lab-types';

/** Golden images per job (the CLI's default --images). */
export const TORCH_GOLDEN_IMAGES = 8;

type Report = (p: JobProgress) => void;

const STEPS = 3;
const step = (report: Report, phase: string, done: number): void =>
  report({ phase, done, total: STEPS, unit: 'steps', etaSeconds: null });

function checkCancel(signal: AbortSignal): void {
  if (signal.aborted) throw new DOMException('Export cancelled', 'AbortError');
}

/** The first `n` test records (fewer if the split is smaller), else seeded random images. */
export function goldenImages(data: CifarDataset | null, graph: Graph, n: number): GoldenInputs {
  const split = data?.test;
  if (!split || split.count === 0) return randomGolden(graph, n, 0);
  const k = Math.min(n, split.count);
  const idx = Array.from({ length: k }, (_, i) => i);
  return {
    x: imagesToNHWC(split, idx),
    labels: Int32Array.from(split.fine.subarray(0, k)),
    source: `first ${k} test records`,
  };
}

export class TorchExportService {
  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
    private readonly pythonPackage: () => Promise<ReadonlyMap<string, string>>,
  ) {}

  async exportTorchJob(
    recipeIn: Recipe,
    data: CifarDataset | null,
    hooks: { signal: AbortSignal; report: Report },
  ): Promise<TorchExportResult> {
    const recipe = validateRecipe(recipeIn);
    await this.ensureBackend();
    const net = this.current.network;
    if (!net) throw new Error('no network to export yet: train, evaluate or import one first');
    const info = this.current.info();
    const release = this.current.hold('exporting');
    try {
      step(hooks.report, 'reading the weights', 0);
      const weights = await net.toWeightsAsync();
      checkCancel(hooks.signal);
      step(hooks.report, 'computing the golden logits', 1);
      const golden = goldenImages(data, net.graph, TORCH_GOLDEN_IMAGES);
      const job = buildTorchJob({
        graph: net.graph,
        weights,
        recipe,
        golden,
        info: {
          exportedFrom: info?.source ?? net.graph.name,
          app: 'MicroNet Lab',
          goldenBackend: tf.getBackend(),
        },
      });
      checkCancel(hooks.signal);
      step(hooks.report, 'zipping the job with the Python package', 2);
      const folder = torchJobFolder(net.graph.name);
      const zip = torchJobZip(job, folder, await this.pythonPackage());
      step(hooks.report, 'done', STEPS);
      return {
        fileName: `${folder}.zip`,
        bytes: zip.bytes,
        entries: zip.names,
        goldenSource: golden.source,
        recipe,
      };
    } finally {
      release();
    }
  }
}
