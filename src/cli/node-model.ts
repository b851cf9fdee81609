/**
 * `--model`: a checkpoint file (lab checkpoint, safetensors, PyTorch .pth/.pt in zip or legacy
 * format — the architecture recognised from the tensors) or a zoo name (fresh seeded weights).
 */
import fs from 'node:fs';
import type { Graph, Weights } from '../core/graph/ir';
import { initWeights } from '../core/graph/params';
import { readAnyCheckpoint, type CheckpointFormat } from '../core/io/read-checkpoint';
import { torchStateDictToWeights } from '../core/io/torch-layout';
import { recognizeArchitecture } from '../core/models/recognize';
import { buildFromZooName } from '../core/models/zoo';
import { UsageError } from './args';

export interface LoadedModel {
  graph: Graph;
  weights: Weights;
  /** The checkpoint's format, or 'zoo' for a fresh network. */
  source: CheckpointFormat | 'zoo';
  /** Zoo name of the architecture (recognised or given). */
  zooName: string;
}

export async function loadModelFile(file: string): Promise<LoadedModel> {
  const ck = await readAnyCheckpoint(new Uint8Array(fs.readFileSync(file)), file);
  if (ck.graph) {
    const weights = torchStateDictToWeights(ck.graph, ck.tensors);
    return { graph: ck.graph, weights, source: ck.format, zooName: ck.graph.name };
  }
  const r = recognizeArchitecture(ck.tensors);
  return { graph: r.graph, weights: r.weights, source: ck.format, zooName: r.zooName };
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
