/**
 * What the trainer (./train-service.ts) tells the session about a run, and what it needs to
 * resume one: a run starts, ends an epoch (checkpoint: network, metrics so far, SGD momentum),
 * and finishes; a new worker continues from the last checkpoint with core train's startEpoch, so
 * shuffles, augmentation and the cosine schedule go on as if the earlier epochs had just run.
 * ./session-service.ts keeps them in IndexedDB; NO_CHECKPOINTS keeps nothing (tests, CLI).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '../core/graph/network';
import type { LabCheckpoint } from '../core/io/lab-checkpoint';
import type { Sgd } from '../core/train/sgd';
import type { SavedMomentum } from '../persist/session-db';
import type { MetricPoint, TrainConfig, TrainSummary } from './lab-types';

/** A run as it stands after `epochsCompleted` whole epochs. */
export interface RunState {
  config: TrainConfig;
  epochsCompleted: number;
  /** Every metric point so far (the resumed run's earlier points included). */
  metrics: MetricPoint[];
  net: Network;
  optimizer: Sgd;
}

/** Where an interrupted run continues. */
export interface ResumePoint {
  config: TrainConfig;
  /** Epochs already done (0: the run starts again from its seeded initialisation). */
  epochsCompleted: number;
  metrics: MetricPoint[];
  /** The network after those epochs; null when epochsCompleted is 0. */
  checkpoint: LabCheckpoint | null;
  momentum: SavedMomentum[] | null;
}

export interface TrainCheckpoints {
  /** A fresh run begins (its record says 'running', 0 epochs). */
  started: (s: RunState) => Promise<void>;
  /** Awaited after every whole epoch. */
  epochEnd: (s: RunState) => Promise<void>;
  /** The run ended: summary on success / cancel, else why it failed. */
  finished: (s: RunState, summary: TrainSummary | null, note: string | null) => Promise<void>;
  /** The interrupted run, or null when none is. */
  resumePoint: () => Promise<ResumePoint | null>;
}

export const NO_CHECKPOINTS: TrainCheckpoints = {
  started: () => Promise.resolve(),
  epochEnd: () => Promise.resolve(),
  finished: () => Promise.resolve(),
  resumePoint: () => Promise.resolve(null),
};

/** The optimizer's momentum buffers of `names` (those that exist yet), downloaded. */
export async function momentumOf(optimizer: Sgd, names: string[]): Promise<SavedMomentum[]> {
  const out: SavedMomentum[] = [];
  for (const name of names) {
    const b = optimizer.buffer(name);
    if (!b) continue;
    const data = ((await b.data()) as Float32Array).slice();
    out.push({ name, shape: [...b.shape], data });
  }
  return out;
}

/** Sets the optimizer's momentum from a checkpoint. */
export function loadMomentum(optimizer: Sgd, saved: SavedMomentum[]): void {
  for (const m of saved) {
    const t = tf.tensor(m.data.slice(), m.shape, 'float32');
    optimizer.setBuffer(m.name, t);
    t.dispose();
  }
}
