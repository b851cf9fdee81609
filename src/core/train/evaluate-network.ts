/**
 * Evaluation of any lab network: plain top-1/top-5/loss, plus the early-exit figures
 * (top1EarlyExit, exitRate) when the graph has an exit head (`extraOutputs.exit`); and of a
 * graph + weights pair on a network built for the purpose (evaluateWeights).
 */
import type { Graph, Weights } from '../graph/ir';
import { Network } from '../graph/network';
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
  /** Weight of the exit head's softmax for images that do not exit (recipe.exitBlend; 0). */
  blend?: number;
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

export interface WeightsEvalOptions extends NetworkEvalOptions {
  /** Run evaluateNetwork (early-exit figures when the graph has an exit head); default plain evaluate. */
  earlyExit?: boolean;
}

/** Evaluates graph + weights on a Network built for it and disposed after. */
export async function evaluateWeights(
  g: Graph,
  w: Weights,
  source: BatchSource,
  o: WeightsEvalOptions,
): Promise<NetworkEvalResult> {
  const net = Network.fromWeights(g, w);
  try {
    return await (o.earlyExit ? evaluateNetwork(net, source, o) : evaluate(net, source, o));
  } finally {
    net.dispose();
  }
}
