/**
 * Compression (src/core/compress): magnitude sparsity with masks (sparsity/), SigmaMax fixed-point
 * quantization (quant/), per-layer sensitivity (sensitivity/), the recipe planner (plan/), and
 * the recipe applied to a network for scoring, measurement and export, and the whole recipe run
 * end to end with checkpoints (pipeline/).
 */
export * from './sparsity';
export * from './quant';
export * from './structure';
export * from './sensitivity';
export * from './plan';
export {
  fineTuneKeepingZeros,
  fineTuneMasked,
  fineTuneSgdConfig,
  loadMomentum,
  saveMomentum,
  type FineTuneOptions,
  type SavedTensor,
} from './fine-tune';
export {
  compressNetwork,
  evaluateRecipe,
  type CompressedNetwork,
  type CompressOptions,
  type RecipeEvalOptions,
  type RecipeEvalResult,
} from './apply-recipe';
export {
  effectiveLayerSparsity,
  hasEarlyExit,
  scoreModel,
  type ScoreModelOptions,
} from './score-model';
export {
  compressedData,
  compressedNetwork,
  maskLayerSparsity,
  scoreCompressed,
  type CompressedRunnable,
  type ScoreCompressedOptions,
} from './compressed-model';
export { DEFAULT_EXIT_THRESHOLD, exitThresholdOf } from './exit-threshold';
export * from './pipeline';
