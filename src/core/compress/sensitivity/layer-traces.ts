/**
 * Per-layer Hessian traces by Hutchinson's estimator (Hutchinson 1990), as HAWQ-v2 uses them
 * (Dong et al. 2020): for a Rademacher vector v over ALL parameters, E[v_lᵀ(Hv)_l] = tr(H_ll)
 * (the cross terms v_i·H_ij·v_j, i ≠ j, have mean zero), so one exact Hessian-vector product
 * (double back-propagation, analysis/hessian) gives every layer's estimate at once.
 */
import { exactHvp, modelLayout, networkLossModel, type LossModel } from '../../analysis/hessian';
import { rademacher } from '../../analysis/hessian/vectors';
import type { Network } from '../../graph/network';
import type { MicroBatchOptions } from '../../train/pass-memory';
import type { Batch, CancelSignal } from '../../train/types';
import { makeRng } from '../../util/rng';

/** v_tᵀ(Hv)_t for every parameter tensor t of the layout (they sum to vᵀHv). */
export function blockQuadraticForms(
  model: LossModel & { names: string[] },
  v: ArrayLike<number>,
  hv: ArrayLike<number>,
): Map<string, number> {
  const { offsets, n } = modelLayout(model);
  const out = new Map<string, number>();
  model.names.forEach((name, k) => {
    const end = offsets[k + 1] ?? n;
    let s = 0;
    for (let i = offsets[k]!; i < end; i++) s += v[i]! * hv[i]!;
    out.set(name, s);
  });
  return out;
}

/** Batches run as micro-batches where one would not fit (MicroBatchOptions; network-loss.ts). */
export interface TraceOptions extends MicroBatchOptions {
  probes: number;
  seed?: number;
  signal?: CancelSignal;
  /** Called after each probe (one Hessian-vector product). */
  onProbe?: (done: number) => void;
}

/**
 * Hutchinson estimates of tr(H_ll) for the weight tensor of each layer named, over the main
 * output's mean cross-entropy on `batches` (eval mode). Layers the main output does not depend
 * on are absent from the result.
 */
export async function layerHessianTraces(
  net: Network,
  batches: readonly Batch[],
  layers: readonly string[],
  o: TraceOptions,
): Promise<Map<string, number>> {
  if (!Number.isInteger(o.probes) || o.probes < 1)
    throw new Error(`hessian probes must be an integer ≥ 1, got ${o.probes}`);
  const model = networkLossModel(net, batches, o);
  try {
    const sums = new Map<string, number>();
    const rng = makeRng(o.seed ?? 0);
    for (let p = 0; p < o.probes; p++) {
      const v = rademacher(modelLayout(model).n, rng);
      const hv = await exactHvp(model, v, o.signal);
      const forms = blockQuadraticForms(model, v, hv);
      for (const layer of layers) {
        const q = forms.get(`${layer}.weight`);
        if (q !== undefined) sums.set(layer, (sums.get(layer) ?? 0) + q);
      }
      o.onProbe?.(p + 1);
    }
    return new Map([...sums].map(([k, s]) => [k, s / o.probes]));
  } finally {
    model.dispose();
  }
}
