/**
 * `export --model <file|zoo name> --recipe <json|file> --out <path> [--calibration <dir|train.bin>]
 * [--limit N] [--exit-rate R] [--backend wasm|cpu]`: applies the recipe (compressNetwork, as
 * `eval --recipe` does: activation quantizers calibrate on the first N training records of
 * --calibration when activations are quantized) and writes
 *   <path>                         the compressed checkpoint (docs/COMPRESSED_FORMAT.md),
 *   <path without ext>.safetensors a lab checkpoint of the same network (dequantized weights,
 *                                  the compressed graph; recipe and quantizers in its info),
 *   <path without ext>.recipe.json the recipe.
 * → { out, bytes, safetensors, safetensorsBytes, recipeFile, recipeBytes, score, paramsTerm,
 *   opsTerm, params32, storageBytes (the parameter storage the score counts), fileOverStorage,
 *   freebie, exitRate, model, recipe, layerSparsity, seconds, backend }.
 */
import fs from 'node:fs';
import path from 'node:path';
import { explainBackendError } from '../../core/backend/explain-error';
import { compressNetwork } from '../../core/compress/apply-recipe';
import { compressedData } from '../../core/compress/compressed-model';
import { scoreModel } from '../../core/compress/score-model';
import { Network } from '../../core/graph/network';
import { writeCompressed } from '../../core/io/compressed';
import { compressionInfo } from '../../core/compress/compression-info';
import { writeLabCheckpoint } from '../../core/io/lab-checkpoint';
import { numberFlag, optionalFlag, requireFlag, UsageError, type ParsedArgs } from '../args';
import { calibrationSource } from '../calibration';
import { nodeThreads, selectNodeBackend } from '../node-backend';
import { loadModel } from '../node-model';
import { recipeFlag } from '../recipe-flag';

/** The three output paths: <out>, <base>.safetensors, <base>.recipe.json. */
export function exportPaths(out: string): { out: string; safetensors: string; recipe: string } {
  const ext = path.extname(out);
  const base = ext ? out.slice(0, -ext.length) : out;
  const paths = { out, safetensors: `${base}.safetensors`, recipe: `${base}.recipe.json` };
  if (paths.safetensors === out || paths.recipe === out) {
    throw new UsageError(
      `--out ${out}: the compressed file would overwrite its sidecar (use e.g. ${base}.mnlc)`,
    );
  }
  return paths;
}

function write(file: string, bytes: Uint8Array | string): number {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, bytes);
  return fs.statSync(file).size;
}

export async function exportCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  if (!args.flags.has('recipe')) throw new UsageError('missing --recipe <json|file>');
  const recipe = recipeFlag(args);
  const paths = exportPaths(requireFlag(args, 'out'));
  const limit = args.flags.has('limit')
    ? numberFlag(args, 'limit', 0, { min: 1, integer: true })
    : undefined;
  const backend = await selectNodeBackend(
    optionalFlag(args, 'backend'),
    optionalFlag(args, 'threads'),
  );
  const spec = requireFlag(args, 'model');
  const model = await loadModel(spec, 0);
  const recorded = typeof model.info?.exitRate === 'number' ? model.info.exitRate : undefined;
  const hasExit = model.graph.extraOutputs?.exit !== undefined;
  const exitRate = hasExit
    ? numberFlag(args, 'exit-rate', recorded ?? 0, { min: 0, max: 1 })
    : undefined;
  const calibration = await calibrationSource(args, model.graph, undefined, recipe, limit);
  const started = performance.now();
  const net = Network.fromWeights(model.graph, model.weights);
  try {
    const info: Record<string, unknown> = {
      exportedFrom: model.source === 'zoo' ? spec : path.basename(spec),
      model: model.zooName,
      ...(exitRate !== undefined && { exitRate }),
    };
    const c = await compressNetwork(net, recipe, { calibration });
    let data;
    try {
      data = compressedData(c, recipe, info);
    } finally {
      c.dispose();
    }
    const bytes = write(paths.out, writeCompressed(data));
    const labInfo = {
      ...info,
      compressedFile: path.basename(paths.out),
      ...compressionInfo({ recipe: data.recipe, activationQuant: data.activationQuant }),
      weightQuant: data.weightQuant,
    };
    const safetensorsBytes = write(
      paths.safetensors,
      writeLabCheckpoint(data.graph, data.weights, labInfo),
    );
    const recipeBytes = write(paths.recipe, JSON.stringify(recipe, null, 2) + '\n');
    const s = scoreModel(model.graph, model.weights, recipe, { exitRate, detail: false });
    const storageBytes = s.storageBits / 8;
    return {
      out: paths.out,
      bytes,
      safetensors: paths.safetensors,
      safetensorsBytes,
      recipeFile: paths.recipe,
      recipeBytes,
      score: s.score,
      paramsTerm: s.paramsTerm,
      opsTerm: s.opsTerm,
      params32: s.params32,
      storageBytes,
      fileOverStorage: bytes / storageBytes,
      freebie: s.freebie,
      exitRate: s.exitRate,
      model: model.zooName,
      recipe,
      layerSparsity: c.layerSparsity,
      seconds: (performance.now() - started) / 1000,
      backend,
      threads: nodeThreads(),
    };
  } catch (e) {
    throw explainBackendError(e, backend);
  } finally {
    net.dispose();
  }
}
