/**
 * The Pruning panel's side of the contract (prune-service.ts): the live plan (its types live in
 * core/prune-plan, which computes it), a prune's outcome with its accuracy before → after, and
 * the pruning schedule's request, iterations, outcome and saved state.
 */
import type { NetworkInfo } from './network';

export type { PlanGroup, PlanLayer, PrunePlan } from '../core/prune-plan/plan-types';

/** Top-1 of a network on the first `n` test images (early exit where it has an exit head). */
export interface SliceAccuracy {
  top1: number;
  top1EarlyExit: number | null;
  n: number;
  /** ScoreInputs.networkKey of the network measured. */
  networkKey: string;
}

export interface PruneOutcome {
  paramsBefore: number;
  paramsAfter: number;
  /** The pruned network, now the current one. */
  network: NetworkInfo;
  seconds: number;
  /** Top-1 on the same test slice before and after the prune; null without a test split. */
  accuracy?: { before: SliceAccuracy; after: SliceAccuracy } | null;
}

/** One finished iteration of a pruning schedule. */
export interface ScheduleIteration {
  iteration: number;
  step: 'prune' | 'grow';
  params: number;
  /** Top-1 on the validation records after fine-tuning. */
  top1: number;
}

export interface ScheduleRequest {
  /** Continue from the last finished iteration kept in the worker. */
  resume: boolean;
  /** Fine-tune epochs per iteration, learning rate and batch size. */
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Validation: the first `validationRecords` test records. */
  validationRecords: number;
  seed: number;
}

export interface ScheduleOutcome {
  status: 'completed' | 'stopped' | 'cancelled';
  history: ScheduleIteration[];
  /** The network now current (null when cancelled: the network is unchanged). */
  network: NetworkInfo | null;
  paramsBefore: number;
  paramsAfter: number;
}

/** What the worker keeps of an unfinished schedule (for "Resume"). */
export interface ScheduleSaved {
  iteration: number;
  iterations: number;
  history: ScheduleIteration[];
}
