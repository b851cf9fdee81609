/** Public API of SigmaMax fixed-point quantization (see README.md). */
export {
  ceilLog2,
  quantizeValues,
  sigmaMaxBinaryPoint,
  tensorStats,
  type TensorStats,
} from './sigma-max';
export { roundHalfEven } from '../../util/round-half-even';
export {
  fakeQuant,
  fakeQuantSte,
  fakeQuantSteChannels,
  fakeQuantSteSigmaMax,
  sigmaMaxScale,
} from './fake-quant';
export {
  activationBitsOf,
  bnWeightBits,
  checkLayerBitsNames,
  isLayer,
  layerNodes,
  NOT_QUANTIZED,
  quantizedInputs,
  weightBitsOf,
} from './layer-bits';
export {
  quantizeTensor,
  quantizeWeights,
  type QuantizedWeights,
  type TensorQuant,
} from './quantize-weights';
export {
  CALIBRATION_MOMENTUM,
  calibrateActivations,
  type ActivationQuant,
  type CalibrateOptions,
} from './calibrate';
export { sourceBatches, type SourceCalibration } from './calibration-batches';
export {
  activationHook,
  hookedRunner,
  halfFloatWeights,
  quantizeNetwork,
  type CalibrationInput,
  type QuantizeOptions,
  type InputHook,
  type QuantizedModel,
} from './quantized-model';
export { foldedBatchNorms, qatModel, qatParamBits, type QatModel, type QatOptions } from './qat';
export { DEFAULT_REFRESH_EVERY } from './qat-weights';
