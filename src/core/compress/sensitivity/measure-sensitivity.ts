/**
 * Per-layer sensitivity, one layer at a time (the ablation HAWQ-v2 validates its estimate
 * against; Dong et al. 2020, "HAWQ-V2: Hessian Aware trace-Weighted Quantization"): for every
 * conv / depthwise / dense layer the main output depends on, and every candidate weight width b
 * and extra sparsity s, the base recipe plus THAT layer at b (the others float) or with a share s
 * of its non-zeros magnitude-pruned, evaluated on a validation slice (main output, no early exit).
 * Plus the second-order estimate: ΔL_l(b) ≈ ½·tr(H_ll)/n_l·‖Q_b(w_l) − w_l‖² (the Hessian block
 * replaced by its mean diagonal), with tr(H_ll) from Hutchinson probes (layer-traces.ts).
 * Probes reuse one calibrated network and swap one layer's tensors (probe-base.ts).
 */
import { mainOutputGraph, sourceBatches } from '../../analysis/hessian';
import type { Network } from '../../graph/network';
import { isValidBits } from '../../recipe';
import { CancelledError, type CancelSignal } from '../../train/types';
import { isLayer } from '../quant';
import {
  layerMagnitudes,
  prunedLayer,
  quantizationErrorSq,
  quantizedLayer,
} from './layer-perturbation';
import { layerHessianTraces } from './layer-traces';
import { probeBase, type ProbeBase } from './probe-base';
import type {
  HessianOptions,
  LayerSensitivity,
  SensitivityOptions,
  SensitivityPoint,
  SensitivityReport,
} from './types';

export const DEFAULT_BITS: readonly number[] = [2, 3, 4, 6, 8];
export const DEFAULT_SPARSITIES: readonly number[] = [0.1, 0.25, 0.5];
const DEFAULT_HESSIAN: HessianOptions = { probes: 1, batches: 1 };
/** Widths the second-order estimate is given for (the planner's range). */
const SECOND_ORDER_BITS = Array.from({ length: 15 }, (_, i) => i + 2);

function checkList(what: string, v: readonly number[], ok: (x: number) => boolean, want: string) {
  if (v.length === 0) throw new Error(`sensitivity: ${what} must not be empty`);
  for (const x of v) if (!ok(x)) throw new Error(`sensitivity: ${what} must be ${want}, got ${x}`);
}

function settings(o: SensitivityOptions) {
  const bits = [...(o.bits ?? DEFAULT_BITS)];
  const sparsities = [...(o.sparsities ?? DEFAULT_SPARSITIES)];
  const batchSize = o.batchSize ?? 100;
  const hessian = o.hessian === undefined ? DEFAULT_HESSIAN : o.hessian;
  checkList('bits', bits, (x) => isValidBits(x) && x <= 16, 'integers in 2–16');
  checkList('sparsities', sparsities, (x) => x > 0 && x < 1, 'numbers in (0, 1)');
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`sensitivity: batchSize must be an integer ≥ 1, got ${batchSize}`);
  for (const k of ['probes', 'batches'] as const) {
    const v = hessian ? hessian[k] : 1;
    if (!(Number.isInteger(v) && v >= 1))
      throw new Error(`sensitivity: hessian.${k} must be an integer ≥ 1, got ${v}`);
  }
  if (o.source.size < 1) throw new Error(`sensitivity: the source has no records`);
  return { bits, sparsities, batchSize, hessian };
}

function check(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('sensitivity cancelled');
}

/** The layers the main output depends on, in graph order. */
function measuredLayers(net: Network): { name: string; op: string; params: number }[] {
  return mainOutputGraph(net.graph)
    .nodes.filter(isLayer)
    .map((n) => ({ name: n.name, op: n.spec.op, params: net.getTensor(`${n.name}.weight`).size }));
}

async function hessianTraces(
  base: ProbeBase,
  layers: string[],
  o: SensitivityOptions,
  h: HessianOptions,
  batchSize: number,
  tick: () => void,
): Promise<Map<string, number>> {
  const count = Math.min(o.source.size, h.batches * batchSize);
  const batches = sourceBatches(o.source, count, batchSize);
  // The float network that runs (BN folded): the Hessian of what the probes perturb. Its batches
  // run as micro-batches where one double-backprop pass would not fit (network-loss.ts).
  return layerHessianTraces(base.net, batches, layers, {
    microBatch: o.microBatch,
    memoryBudget: o.memoryBudget,
    probes: h.probes,
    seed: o.seed,
    signal: o.signal,
    onProbe: tick,
  });
}

function secondOrder(base: ProbeBase, layer: string, trace: number, n: number) {
  return SECOND_ORDER_BITS.map((bits) => ({
    bits,
    deltaLoss: (0.5 * trace * quantizationErrorSq(base, layer, bits)) / n,
  }));
}

/** See the header. `net` is only read; no tensor outlives the call. */
export async function measureSensitivity(
  net: Network,
  o: SensitivityOptions,
): Promise<SensitivityReport> {
  const t0 = performance.now();
  const s = settings(o);
  const layers = measuredLayers(net);
  const base = await probeBase(net, o.base ?? {}, o.calibration);
  try {
    const total =
      layers.length * (s.bits.length + s.sparsities.length) + (s.hessian ? s.hessian.probes : 0);
    let done = 0;
    const tick = (layer: string) => o.onProgress?.({ done: ++done, total, layer });
    check(o.signal);
    const evalOptions = {
      batchSize: s.batchSize,
      signal: o.signal,
      microBatch: o.microBatch,
      memoryBudget: o.memoryBudget,
    };
    const ref = await base.evaluate(o.source, evalOptions);
    const magnitudes = layerMagnitudes(net.graph, base.sparseWeights);
    const probe = async (
      layer: string,
      value: number,
      params: ReturnType<typeof quantizedLayer>,
    ) => {
      check(o.signal);
      base.set(params);
      try {
        const r = await base.evaluate(o.source, evalOptions);
        tick(layer);
        return { value, loss: r.loss, top1: r.top1 } satisfies SensitivityPoint;
      } finally {
        base.restore(params.keys());
      }
    };
    const out: LayerSensitivity[] = [];
    for (const l of layers) {
      const bits: SensitivityPoint[] = [];
      for (const b of s.bits) bits.push(await probe(l.name, b, quantizedLayer(base, l.name, b)));
      const sparsity: SensitivityPoint[] = [];
      for (const x of s.sparsities)
        sparsity.push(await probe(l.name, x, prunedLayer(base, magnitudes, l.name, x)));
      out.push({ layer: l.name, op: l.op, params: l.params, bits, sparsity });
    }
    if (s.hessian) {
      const names = layers.map((l) => l.name);
      const traces = await hessianTraces(base, names, o, s.hessian, s.batchSize, () =>
        tick('(hessian)'),
      );
      for (const l of out) {
        const t = traces.get(l.layer);
        if (t === undefined) continue;
        l.hessianTrace = t;
        l.secondOrder = secondOrder(base, l.layer, t, l.params);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    return { n: o.source.size, base: ref, layers: out, recipe: base.recipe, seconds };
  } finally {
    base.dispose();
  }
}
