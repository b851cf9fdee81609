/** Public API of magnitude sparsity (see README.md). */
export {
  gradualPrune,
  type GradualPruneOptions,
  type GradualPruneProgress,
  type GradualPruneResult,
} from './gradual-prune';
export { applyMasks, layerZeroFractions, magnitudeMasks, maskSparsity } from './magnitude-masks';
export {
  magnitudeProfile,
  profileRank,
  type LayerMagnitudes,
  type MagnitudeProfile,
} from './magnitude-profile';
export { MaskSet } from './mask-set';
export { zeroMasks } from './zero-masks';
export { layerSparsityFromProfile } from './profile-sparsity';
export { pruneTargets } from './prune-schedule';
export { PRUNABLE_OPS, prunableLayers } from './prunable-layers';
