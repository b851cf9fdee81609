/**
 * The recipe pipeline (src/core/compress/pipeline): a whole recipe end to end — gradual pruning
 * with fine-tuning (QAT, distillation, exit head), compression, early-exit evaluation, score —
 * with checkpoints that resume exactly. See README.md.
 */
export {
  runRecipe,
  type PipelineCheckpoint,
  type RunRecipeCancelled,
  type RunRecipeCompleted,
  type RunRecipeOptions,
  type RunRecipeResult,
} from './run-recipe';
export {
  checkSameRun,
  decodePipelineState,
  encodePipelineState,
  modelFingerprint,
  PIPELINE_STATE_FORMAT,
  PipelineStateError,
  type PipelineState,
  type RunIdentity,
} from './pipeline-state';
export {
  evalProgress,
  fineTuneProgress,
  formatSeconds,
  progressLine,
  type PipelineProgress,
  type PipelineStage,
} from './pipeline-progress';
