/**
 * Evaluation of any lab network: plain top-1/top-5/loss, plus the early-exit figures
 * (top1EarlyExit, exitRate) when the graph has an exit head (`extraOutputs.exit`).
 */
import type { Graph } from '../graph/ir';
import { evaluateWithEarlyExit, type EarlyExitModel } from './early-exit';
import { evaluate, type EvalOptions, type EvalResult, type Predictor } from './evaluate';
import type { BatchSource } from './types';

export interface NetworkEvalResult extends EvalResult {
  /** Present only for networks with an early-exit head. */
  top1EarlyExit?: number;
  exitRate?: number;
}

export interface NetworkEvalOptions extends EvalOptions {
  /** Early-exit rule: exit when the exit head's max softmax > threshold (default 0.85). */
  threshold?: number;
}

/** A graph Network, or anything that runs like one (e.g. a quantized copy). */
export type EvaluableNetwork = Predictor & EarlyExitModel & { readonly graph: Graph };

export async function evaluateNetwork(
  net: EvaluableNetwork,
  source: BatchSource,
  o: NetworkEvalOptions,
): Promise<NetworkEvalResult> {
  if (net.graph.extraOutputs?.exit === undefined) return evaluate(net, source, o);
  const r = await evaluateWithEarlyExit(net, source, o);
  return {
    top1: r.top1,
    top5: r.top5,
    loss: r.loss,
    n: r.n,
    imagesPerSecond: r.imagesPerSecond,
    top1EarlyExit: r.top1EarlyExit,
    exitRate: r.exitRate,
  };
}
