/** The four chain forms: their weight counts, the cheapest one, and collapsing bases into the core. */
import type { ChainForm, LayerChain } from './chain-types';
import { fail } from './chain-types';
import { matMul } from './dense-matrix';

export function formOf(c: { basisIn: unknown; basisOut: unknown }): ChainForm {
  if (c.basisIn && c.basisOut) return 'tucker';
  if (c.basisIn) return 'basis-in';
  return c.basisOut ? 'basis-out' : 'plain';
}

/** Weights of a layer in `form` with inner widths p (input side) and q (output side). */
export function formParams(
  form: ChainForm,
  d: Pick<LayerChain, 'cIn' | 'cOut' | 'taps'>,
  p: number,
  q: number,
): number {
  switch (form) {
    case 'plain':
      return d.taps * d.cIn * d.cOut;
    case 'basis-in':
      return d.cIn * p + d.taps * p * d.cOut;
    case 'basis-out':
      return d.taps * d.cIn * q + q * d.cOut;
    case 'tucker':
      return d.cIn * p + d.taps * p * q + q * d.cOut;
  }
}

/** Weights of the chain now (biases aside). */
export function chainParams(c: LayerChain): number {
  return formParams(formOf(c), c, c.p, c.q);
}

/** Forms by node count: ties in cost go to the simpler one. */
export const CHAIN_FORMS: readonly ChainForm[] = ['plain', 'basis-in', 'basis-out', 'tucker'];

/** The cheapest of `forms` (in CHAIN_FORMS order on ties) for inner widths p and q. */
export function cheapestForm(
  d: Pick<LayerChain, 'cIn' | 'cOut' | 'taps'>,
  p: number,
  q: number,
  forms: readonly ChainForm[] = CHAIN_FORMS,
): { form: ChainForm; params: number } {
  let best: { form: ChainForm; params: number } | null = null;
  for (const form of CHAIN_FORMS) {
    if (!forms.includes(form)) continue;
    const params = formParams(form, d, p, q);
    if (!best || params < best.params) best = { form, params };
  }
  if (!best) fail('no form to choose from');
  return best;
}

/** The forms collapseChain can turn `c` into (its bases or fewer). */
export function reachableForms(c: Pick<LayerChain, 'basisIn' | 'basisOut'>): ChainForm[] {
  return CHAIN_FORMS.filter(
    (f) =>
      (c.basisIn || (f !== 'basis-in' && f !== 'tucker')) &&
      (c.basisOut || (f !== 'basis-out' && f !== 'tucker')),
  );
}

/**
 * The same linear map in `form`, reached by multiplying bases into the core (a basis can be
 * merged, not recovered: `form`'s bases must be a subset of the chain's).
 */
export function collapseChain(c: LayerChain, form: ChainForm): LayerChain {
  const wantIn = form === 'basis-in' || form === 'tucker';
  const wantOut = form === 'basis-out' || form === 'tucker';
  if ((wantIn && !c.basisIn) || (wantOut && !c.basisOut))
    fail(`'${c.name}' (${formOf(c)}) cannot become '${form}'`);
  let { core, p, q } = c;
  if (!wantOut && c.basisOut) {
    const next = new Float64Array(c.taps * c.cOut * p);
    for (let t = 0; t < c.taps; t++)
      next.set(
        matMul(c.basisOut, core.subarray(t * q * p, (t + 1) * q * p), c.cOut, q, p),
        t * c.cOut * p,
      );
    [core, q] = [next, c.cOut];
  }
  if (!wantIn && c.basisIn) {
    const next = new Float64Array(c.taps * q * c.cIn);
    for (let t = 0; t < c.taps; t++)
      next.set(
        matMul(core.subarray(t * q * p, (t + 1) * q * p), c.basisIn, q, p, c.cIn),
        t * q * c.cIn,
      );
    [core, p] = [next, c.cIn];
  }
  return {
    ...c,
    core,
    p,
    q,
    basisIn: wantIn ? c.basisIn : null,
    basisOut: wantOut ? c.basisOut : null,
  };
}

/** The layer's effective weights W_t, [taps][c_out][c_in]. */
export function effectiveWeights(c: LayerChain): Float64Array {
  return collapseChain(c, 'plain').core;
}
