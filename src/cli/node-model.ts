/**
 * `--model`: a checkpoint file (lab checkpoint, compressed checkpoint, safetensors, PyTorch
 * .pth/.pt in zip or legacy format — the architecture recognised from the tensors) or a zoo name
 * (fresh seeded weights).
 */
import fs from 'node:fs';
import type { Graph, Weights } from '../core/graph/ir';
import { initWeights } from '../core/graph/params';
import { modelFromCheckpoint } from '../core/models/model-from-checkpoint';
import type { ReadCompressed } from '../core/io/compressed';
import type { CheckpointFormat } from '../core/io/read-checkpoint';
import { buildFromZooName } from '../core/models/zoo';
import { UsageError } from './args';

export interface LoadedModel {
  graph: Graph;
  weights: Weights;
  /** The checkpoint's format, or 'zoo' for a fresh network. */
  source: CheckpointFormat | 'zoo';
  /** Zoo name of the architecture (recognised or given). */
  zooName: string;
  /** A lab (or compressed) checkpoint's recorded facts (metrics, measured exit rate, …). */
  info?: Record<string, unknown>;
  /** A compressed checkpoint's contents (quantizers, masks, recipe); weights are dequantized. */
  compressed?: ReadCompressed;
}

export async function loadModelFile(file: string): Promise<LoadedModel> {
  const m = await modelFromCheckpoint(new Uint8Array(fs.readFileSync(file)), file);
  const hasInfo = m.format === 'micronet-lab' || m.format === 'micronet-compressed';
  const info = hasInfo ? m.checkpoint.info : undefined;
  const loaded: LoadedModel = {
    graph: m.graph,
    weights: m.weights,
    source: m.format,
    zooName: m.zooName,
    info,
  };
  if (m.checkpoint.compressed) loaded.compressed = m.checkpoint.compressed;
  return loaded;
}

export async function loadModel(spec: string, seed: number): Promise<LoadedModel> {
  if (fs.existsSync(spec) && fs.statSync(spec).isFile()) return loadModelFile(spec);
  let graph: Graph;
  try {
    graph = buildFromZooName(spec);
  } catch (e) {
    throw new UsageError(`--model: "${spec}" is neither a file nor a zoo name (${String(e)})`);
  }
  return { graph, weights: initWeights(graph, seed), source: 'zoo', zooName: spec };
}
