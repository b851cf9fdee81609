// K-FAC / EKFAC eigen analysis (EigenDamage, the seed's step 2): factors, spectra, saliencies,
// and the global-threshold selection of kept eigen-directions. See README.md.
export { kfacAnalysis } from './kfac-analysis';
export type { KfacLayer, KfacOptions, KfacProgress, KfacResult, KfacSkipped } from './kfac-types';
export { KfacError } from './kfac-error';
export { DEFAULT_DAMPING, dampingFor, type Damping } from './damping';
export { symmetricEigen, type SymEigen } from './sym-eigen';
export {
  matMul,
  rotateTaps,
  saliencyOf,
  tapsToWeight,
  unrotateTaps,
  weightTaps,
  type Saliency,
  type TapMatrices,
} from './eigenbasis';
export {
  DEFAULT_PRUNE_LIMIT,
  globalThreshold,
  selectKept,
  type KeptDirections,
  type LayerScores,
  type SelectOptions,
} from './select';
export { layerGeometry, resolvePadding, type LayerGeometry } from './geometry';
