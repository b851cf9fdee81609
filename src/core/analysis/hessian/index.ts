/**
 * Full-network Hessian analysis: exact Hessian-vector products by double back-propagation,
 * Lanczos top-k eigenvalues, stochastic Lanczos quadrature density, Hutchinson trace.
 */
export { crossEntropyForHessian } from './cross-entropy';
export {
  exactHvp,
  finiteDifferenceHvp,
  hvpTensors,
  lossGradient,
  lossValue,
  modelLayout,
  type LossModel,
  type LossTerm,
} from './hvp';
export {
  lanczos,
  lanczosTopEigen,
  ritz,
  type LanczosOptions,
  type LanczosResult,
  type SymmetricOperator,
  type TopEigenOptions,
  type TopEigenResult,
} from './lanczos';
export {
  mainOutputGraph,
  networkLossModel,
  sourceBatches,
  type NetworkLossModel,
} from './network-loss';
export { powerIteration, type PowerIterationResult } from './power-iteration';
export {
  hutchinsonTrace,
  probeVector,
  spectralDensity,
  stochasticLanczosQuadrature,
  traceFromSamples,
  type DensityOptions,
  type ProbeKind,
  type SlqOptions,
  type SlqProbe,
  type SpectralDensity,
  type TraceEstimate,
} from './slq';
export {
  hessianOperator,
  hessianSpectrum,
  lossModelSpectrum,
  type HessianSpectrum,
  type HessianSpectrumOptions,
  type SpectrumOptions,
  type SpectrumProgress,
} from './spectrum';
export {
  checkTopEigenvalue,
  type FdPowerOptions,
  type LanczosRun,
  type TopEigenCheck,
  type TopEigenCheckOptions,
} from './top-eigen-check';
export { tridiagonalEigen, type TridiagonalEigen } from './tridiagonal';
export { layoutOf, toTensors, type VectorLayout } from './vectors';
