/**
 * The worker's compressed export: the current network compressed with a recipe (magnitude
 * sparsity, SigmaMax quantization, activation quantizers calibrated on the same training batches
 * a Score-panel measurement uses, so the file predicts what was measured), written as
 *   (a) the compressed checkpoint (core/io/compressed; docs/COMPRESSED_FORMAT.md),
 *   (b) a lab checkpoint (safetensors) of the dequantized weights, graph in its metadata,
 *   (c) the recipe JSON,
 * plus the parameter storage the score counts, to show beside the file's size.
 */
import { compressNetwork } from '../core/compress/apply-recipe';
import { compressedData } from '../core/compress/compressed-model';
import { compressionInfo } from '../core/compress/compression-info';
import { scoreModel } from '../core/compress/score-model';
import type { CifarDataset } from '../core/data/types';
import { writeCompressed } from '../core/io/compressed/index';
import { writeLabCheckpoint } from '../core/io/lab-checkpoint';
import { validateRecipe, type Recipe } from '../core/recipe/index';
import { cifarSource } from '../core/train/cifar-source';
import type { CurrentNetwork } from './current-network';
import type { BackendInfo, CompressedExportResult, JobProgress } from './lab-types';

type Report = (p: JobProgress) => void;

const step = (report: Report, phase: string, done: number): void =>
  report({ phase, done, total: 3, unit: 'steps', etaSeconds: null });

function checkCancel(signal: AbortSignal): void {
  if (signal.aborted) throw new DOMException('Export cancelled', 'AbortError');
}

export class ExportService {
  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
  ) {}

  async exportCompressed(
    recipeIn: Recipe,
    data: CifarDataset | null,
    hooks: { signal: AbortSignal; report: Report },
  ): Promise<CompressedExportResult> {
    const recipe = validateRecipe(recipeIn);
    await this.ensureBackend();
    const net = this.current.network;
    if (!net) throw new Error('no network to export yet: train, evaluate or import one first');
    const split = data?.train ?? data?.test;
    const release = this.current.hold('exporting');
    try {
      step(hooks.report, 'compressing (sparsity, quantization, calibration)', 0);
      const calibration = split ? cifarSource(split, null) : undefined;
      const c = await compressNetwork(net, recipe, { calibration });
      try {
        checkCancel(hooks.signal);
        step(hooks.report, 'writing the compressed checkpoint', 1);
        const info = { source: this.current.info()?.source ?? null, app: 'MicroNet Lab' };
        const d = compressedData(c, recipe, { ...info, exportedAt: new Date().toISOString() });
        const compressed = writeCompressed(d);
        step(hooks.report, 'writing the safetensors twin', 2);
        const safetensors = writeLabCheckpoint(d.graph, d.weights, {
          ...info,
          ...compressionInfo({ recipe: d.recipe, activationQuant: d.activationQuant }),
        });
        const weights = await net.toWeightsAsync();
        const s = scoreModel(net.graph, weights, recipe, { detail: false });
        step(hooks.report, 'done', 3);
        const base = net.graph.name;
        return {
          files: [
            { kind: 'compressed', fileName: `${base}.mnlc`, bytes: compressed },
            {
              kind: 'safetensors',
              fileName: `${base}.dequantized.safetensors`,
              bytes: safetensors,
            },
            {
              kind: 'recipe',
              fileName: `${base}.recipe.json`,
              bytes: new TextEncoder().encode(JSON.stringify(recipe, null, 2) + '\n'),
            },
          ],
          storageBytes: s.params32 * 4,
        };
      } finally {
        c.dispose();
      }
    } finally {
      release();
    }
  }
}
