/**
 * A conv2d / dense layer and its low-rank factorizations as one "chain" (EigenDamage's
 * decomposed layer, Wang et al. 2019, arXiv 1905.05934, generalised to the cheapest exact form):
 *   W_t = basisOut · core_t · basisIn      (c_out × c_in per kernel tap t)
 * with either basis absent (identity). Four forms, named by the nodes they have:
 *   'plain'      `X`                                   k×k c_in → c_out
 *   'basis-in'   `X.basis_in` 1×1 c_in → p,  `X` k×k p → c_out           (core merged with Q_G)
 *   'basis-out'  `X.core` k×k c_in → q,      `X` 1×1 q → c_out           (core merged with Q_Aᵀ)
 *   'tucker'     `X.basis_in` 1×1 c_in → p,  `X.core` k×k p → q,  `X` 1×1 q → c_out
 * The k×k node keeps the layer's stride and padding; the last node is always `X` and carries the
 * layer's bias, so consumers (and a BN that folds into it) are unchanged. Dense layers likewise
 * with dense nodes. The k×k node (`X.core` if present, else `X`) is the chain's "main" node: the
 * one an eigen analysis of a later prune step looks at (the seed's "main module").
 * Matrices are row-major float64: basisIn p × c_in, core [taps][q][p], basisOut c_out × q.
 */
// Split by what each part holds: chain-types (types, shared helpers), chain-forms (form algebra),
// chain-read (graph → chain), chain-write (chain → graph). This file is their one entry point.
export {
  CHAIN_FORMS,
  chainParams,
  cheapestForm,
  collapseChain,
  effectiveWeights,
  formOf,
  formParams,
  reachableForms,
} from './chain-forms';
export {
  chainDims,
  chainNameOf,
  chainNodes,
  eigenLayerNames,
  mainNodeOf,
  readChain,
} from './chain-read';
export type { ChainDims, ChainForm, ChainNodes, LayerChain, LayerSpec } from './chain-types';
export { writeChain } from './chain-write';
