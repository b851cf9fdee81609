/**
 * A runnable network description from any checkpoint: a lab checkpoint carries its graph; any
 * other (PyTorch .pth/.pt, safetensors) is matched against the zoo by its names and shapes.
 */
import type { Graph, Weights } from '../graph/ir';
import {
  readAnyCheckpoint,
  type AnyCheckpoint,
  type CheckpointFormat,
} from '../io/read-checkpoint';
import { torchStateDictToWeights } from '../io/torch-layout';
import { recognizeArchitecture } from './recognize';

export interface CheckpointModel {
  graph: Graph;
  weights: Weights;
  format: CheckpointFormat;
  /** Zoo name of the architecture (recognised, or the lab graph's own name). */
  zooName: string;
  checkpoint: AnyCheckpoint;
}

export function modelFromParsedCheckpoint(ck: AnyCheckpoint): CheckpointModel {
  if (ck.graph) {
    const weights = torchStateDictToWeights(ck.graph, ck.tensors);
    return { graph: ck.graph, weights, format: ck.format, zooName: ck.graph.name, checkpoint: ck };
  }
  const r = recognizeArchitecture(ck.tensors);
  return { ...r, format: ck.format, checkpoint: ck };
}

export async function modelFromCheckpoint(
  bytes: Uint8Array,
  fileName: string,
): Promise<CheckpointModel> {
  return modelFromParsedCheckpoint(await readAnyCheckpoint(bytes, fileName));
}
