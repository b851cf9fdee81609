/**
 * Compression (src/core/compress): magnitude sparsity with masks (sparsity/), SigmaMax fixed-point
 * quantization (quant/), per-layer sensitivity (sensitivity/), the recipe planner (plan/), and
 * the recipe applied to a network for scoring, measurement and export.
 */
export * from './sparsity';
export * from './quant';
export * from './structure';
export * from './sensitivity';
export * from './plan';
export { fineTuneKeepingZeros, fineTuneMasked, type FineTuneOptions } from './fine-tune';
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
