/** Public API of per-layer sensitivity (see README.md). */
export { DEFAULT_BITS, DEFAULT_SPARSITIES, measureSensitivity } from './measure-sensitivity';
export { sparsityTarget } from './layer-perturbation';
export { blockQuadraticForms, layerHessianTraces } from './layer-traces';
export type {
  HessianOptions,
  LayerSensitivity,
  SensitivityOptions,
  SensitivityPoint,
  SensitivityReport,
} from './types';
