/**
 * The lab's own full-precision checkpoint: a safetensors file whose tensors are the network's
 * PyTorch-style state_dict (torch layouts, so `safetensors.torch.load_file` just works) and whose
 * `__metadata__` carries the graph description, so the file alone rebuilds the network.
 *
 * metadata: { format: "micronet-lab", version: "1", graph: <graph JSON>, info?: <JSON object> }
 */
import { graphFromJSON, graphToJSON } from '../graph/serialize';
import type { Graph, Weights } from '../graph/ir';
import { readSafetensors, writeSafetensors } from './safetensors';
import { torchStateDictToWeights, weightsToTorchStateDict } from './torch-layout';

export const LAB_CHECKPOINT_FORMAT = 'micronet-lab';

export interface LabCheckpoint {
  graph: Graph;
  weights: Weights;
  /** Free-form facts recorded at save time (training config, metrics, …). */
  info: Record<string, unknown>;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function writeLabCheckpoint(
  graph: Graph,
  weights: Weights,
  info: Record<string, unknown> = {},
): Uint8Array {
  const metadata = {
    format: LAB_CHECKPOINT_FORMAT,
    version: '1',
    graph: graphToJSON(graph),
    info: JSON.stringify(info),
  };
  return writeSafetensors(weightsToTorchStateDict(graph, weights), metadata);
}

/** True when the bytes are a safetensors file carrying a lab graph (cheap header check). */
export function isLabCheckpoint(bytes: Uint8Array): boolean {
  try {
    return readSafetensors(bytes).metadata?.format === LAB_CHECKPOINT_FORMAT;
  } catch {
    return false;
  }
}

export function readLabCheckpoint(bytes: Uint8Array, fileName = 'checkpoint'): LabCheckpoint {
  const file = readSafetensors(bytes);
  const meta = file.metadata;
  if (meta?.format !== LAB_CHECKPOINT_FORMAT || meta.graph === undefined) {
    throw new CheckpointError(
      `${fileName}: not a MicroNet Lab checkpoint (safetensors metadata has no format="${LAB_CHECKPOINT_FORMAT}" graph)`,
    );
  }
  if (meta.version !== '1') {
    throw new CheckpointError(`${fileName}: unsupported lab checkpoint version "${meta.version}"`);
  }
  const graph = graphFromJSON(meta.graph);
  const weights = torchStateDictToWeights(graph, file.tensors);
  let info: Record<string, unknown> = {};
  if (meta.info !== undefined) {
    try {
      info = JSON.parse(meta.info) as Record<string, unknown>;
    } catch {
      throw new CheckpointError(`${fileName}: metadata "info" is not valid JSON`);
    }
  }
  return { graph, weights, info };
}
