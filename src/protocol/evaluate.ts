/**
 * "Evaluate" across the thread boundary (model-service.ts): what to evaluate on and the
 * measured top-1 / top-5, with the early-exit figures where the network has an exit head.
 */
import type { EvalResult as CoreEvalResult } from '../core/train/evaluate';
import type { NetworkInfo } from './network';

export interface EvalConfig {
  batchSize: number;
  /** The first `limit` test images; null or absent: all of them. */
  limit?: number | null;
}

/** Top-1 under a network's early-exit rule (an image exits when the exit head is confident). */
export interface EarlyExitStats {
  /** Top-1 with the rule, 0–1. */
  top1: number;
  /** Fraction of images that exit at the early head. */
  exitRate: number;
  /** Max softmax probability above which an image exits. */
  threshold: number;
}

/** The core's figures (top-1, top-5, loss, n, images/s) and what the page needs beside them. */
export interface EvalResult extends CoreEvalResult {
  model: string;
  /** True when the network was evaluated straight after initialisation (never trained). */
  untrained: boolean;
  /** Set when the network has an early-exit head. */
  earlyExit: EarlyExitStats | null;
  /** The network that was evaluated (the current one; built from `model` when there was none). */
  network: NetworkInfo;
  /** Its content key (ScoreInputs.networkKey). */
  networkKey: string;
}
