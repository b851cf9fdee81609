/** `--model`: a lab checkpoint file, or a zoo name (fresh seeded weights). */
import fs from 'node:fs';
import type { Graph, Weights } from '../core/graph/ir';
import { initWeights } from '../core/graph/params';
import { readLabCheckpoint } from '../core/io/lab-checkpoint';
import { buildFromZooName } from '../core/models/zoo';
import { UsageError } from './args';

export interface LoadedModel {
  graph: Graph;
  weights: Weights;
  source: 'checkpoint' | 'zoo';
}

export function loadModel(spec: string, seed: number): LoadedModel {
  if (fs.existsSync(spec) && fs.statSync(spec).isFile()) {
    const ckpt = readLabCheckpoint(new Uint8Array(fs.readFileSync(spec)), spec);
    return { graph: ckpt.graph, weights: ckpt.weights, source: 'checkpoint' };
  }
  let graph: Graph;
  try {
    graph = buildFromZooName(spec);
  } catch (e) {
    throw new UsageError(`--model: "${spec}" is neither a file nor a zoo name (${String(e)})`);
  }
  return { graph, weights: initWeights(graph, seed), source: 'zoo' };
}
