// Test-only helpers for the recipe pipeline: a tiny net with an early-exit head on 8×8 inputs,
// synthetic sources, and an in-memory checkpoint store that can cancel a run at a chosen save.
import { Network } from '../../graph/network';
import type { Graph } from '../../graph/ir';
import { GraphBuilder } from '../../models/graph-builder';
import type { TrainControl } from '../../train/control';
import { syntheticSource } from '../../train/synthetic-source';
import { decodePipelineState, encodePipelineState, type PipelineState } from './pipeline-state';
import type { PipelineCheckpoint } from './run-recipe';

/** conv8-16 (BN, ReLU) with an exit head (pool + fc) after block 1, main head after block 2. */
export function exitNetGraph(numClasses = 3, inputSize = 8): Graph {
  const b = new GraphBuilder();
  let x = b.input(inputSize);
  x = b.relu('relu1', b.bn('bn1', b.conv('conv1', x, { in: 3, out: 8, k: 3 }), 8));
  const exit = b.head('exitpool', 'exitfc', x, 8, numClasses);
  x = b.relu('relu2', b.bn('bn2', b.conv('conv2', x, { in: 8, out: 16, k: 3, stride: 2 }), 16));
  const g = b.build('exit-test', numClasses, b.head('pool', 'fc', x, 16, numClasses));
  return { ...g, extraOutputs: { exit } };
}

export function exitNet(seed = 1): Network {
  return Network.fromInit(exitNetGraph(), seed);
}

export const trainSource = syntheticSource({ size: 32, numClasses: 3, seed: 3 });
export const testSource = syntheticSource({ size: 24, numClasses: 3, seed: 4 });

/**
 * Keeps the last saved state as bytes (so every save goes through encode/decode), every
 * state's position, and cancels `control` once a save reaches `stopAt`.
 */
export class MemoryCheckpoint implements PipelineCheckpoint {
  bytes: Uint8Array | null = null;
  readonly saves: PipelineState[] = [];
  control: TrainControl | undefined;
  stopAt: { stepsDone: number; epochsDone: number } | undefined;

  save(state: PipelineState): Promise<void> {
    this.bytes = encodePipelineState(state);
    this.saves.push(state);
    const s = this.stopAt;
    if (s && s.stepsDone === state.stepsDone && s.epochsDone === state.epochsDone)
      this.control?.cancel();
    return Promise.resolve();
  }

  load(): Promise<PipelineState | null> {
    return Promise.resolve(this.bytes ? decodePipelineState(this.bytes) : null);
  }
}
