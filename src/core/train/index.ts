/** Public API of the training module (see README.md). */
export { TrainControl, type ControlState } from './control';
export {
  evaluate,
  type EvalOptions,
  type EvalProgress,
  type EvalResult,
  type Predictor,
} from './evaluate';
export { distillationLoss, headLoss, type HeadLossSettings } from './distillation';
export { softmaxCrossEntropy } from './loss';
export { rankOfTrueClass, topKCounts, topKCountsTensor } from './metrics';
export {
  autoMicroBatch,
  trainBytesPerImage,
  WASM_TRAIN_BUDGET_BYTES,
  type TrainFootprint,
} from './micro-batch';
export { networkModel } from './network-model';
export {
  forwardMicroBatch,
  microBatchRanges,
  passBytesPerImage,
  passMicroBatch,
  PASS_TAPE_FACTORS,
  type MicroBatchOptions,
  type PassKind,
} from './pass-memory';
export { lrAt, warmupSteps, type LrSchedule, type ScheduleClock } from './schedule';
export { Sgd, type DecayExclusion, type NamedParam, type SgdConfig } from './sgd';
export {
  train,
  type EpochSummary,
  type TrainMetrics,
  type TrainOptions,
  type TrainResult,
} from './trainer';
export {
  CancelledError,
  type Batch,
  type BatchSource,
  type BnStats,
  type CancelSignal,
  type DistillOptions,
  type MicroBatchPart,
  type TeacherOutput,
  type TrainableModel,
  type TrainForward,
} from './types';
