/**
 * Recognises which zoo network a foreign checkpoint (a PyTorch state_dict) holds, from its tensor
 * names and shapes alone: the seed's PyramidNet (depth from the block count, α from the final
 * width), CIFAR ResNet (akamaster names), the lab's tiny net and the OSI-AI MicroNet. A candidate
 * is accepted only when every one of its parameters is present with the right shape.
 */
import type { Graph, Weights } from '../graph/ir';
import { torchStateDictToWeights } from '../io/torch-layout';
import type { SafeTensor } from '../io/safetensors';
import { buildFromZooName } from './zoo';

export interface Recognized {
  zooName: string;
  graph: Graph;
  weights: Weights;
}

export class UnrecognizedError extends Error {
  override name = 'UnrecognizedError';
}

type Tensors = ReadonlyMap<string, SafeTensor>;

const strip = (name: string): string => name.replace(/^module\./, '');

function blocksInStage(names: string[], stage: number): number {
  const re = new RegExp(`^layer${stage}\\.(\\d+)\\.`);
  const ids = new Set(names.map((n) => re.exec(n)?.[1]).filter((x) => x !== undefined));
  return ids.size;
}

function pyramidNetName(names: string[], t: Tensors): string | null {
  const fc = t.get('fc.weight') ?? t.get('module.fc.weight');
  if (!names.includes('bn_final.weight') || !fc || fc.shape.length !== 2) return null;
  const n = blocksInStage(names, 1);
  const bottleneck = names.includes('layer1.0.conv3.weight');
  const width = fc.shape[1]!;
  const alpha = bottleneck ? width / 4 - 16 : width - 16;
  if (n < 1 || !(alpha > 0)) return null;
  const depth = bottleneck ? 9 * n + 2 : 6 * n + 2;
  return `pyramidnet-${bottleneck ? 'bottleneck' : 'basic'}-${depth}-a${alpha}`;
}

function resnetName(names: string[]): string | null {
  if (!names.includes('linear.weight') || !names.includes('layer1.0.conv1.weight')) return null;
  return `resnet-${6 * blocksInStage(names, 1) + 2}`;
}

function numClasses(t: Tensors): number {
  for (const key of ['fc.weight', 'linear.weight', 'module.fc.weight', 'module.linear.weight']) {
    const w = t.get(key);
    if (w?.shape.length === 2) return w.shape[0]!;
  }
  return 100;
}

/** Zoo names worth trying for these tensors, most specific first. */
export function candidateNames(t: Tensors): string[] {
  const names = [...t.keys()].map(strip);
  const out = [pyramidNetName(names, t), resnetName(names), 'osi-micronet', 'tiny'];
  return out.filter((n): n is string => n !== null);
}

/** The zoo network these tensors fit, with the weights converted; throws listing why not. */
export function recognizeArchitecture(t: Tensors): Recognized {
  const reasons: string[] = [];
  for (const zooName of candidateNames(t)) {
    let graph: Graph;
    try {
      graph = buildFromZooName(zooName, { numClasses: numClasses(t) });
    } catch {
      continue; // not in this build of the zoo
    }
    try {
      return { zooName, graph, weights: torchStateDictToWeights(graph, t) };
    } catch (e) {
      reasons.push(`${zooName}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new UnrecognizedError(
    `architecture not recognised from ${t.size} tensors; tried ${reasons.length} candidate(s)` +
      (reasons.length > 0 ? ` — ${reasons.slice(0, 3).join(' | ')}` : ''),
  );
}
