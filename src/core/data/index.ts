/** Public API of the data layer: load, validate, normalise, augment and batch CIFAR-100. */
export * from './types';
export {
  parseRecords,
  RecordAssembler,
  checkRecordLength,
  sliceSplit,
  imageAt,
} from './cifar-records';
export { FINE_LABEL_NAMES, COARSE_LABEL_NAMES, parseLabelNames } from './label-names';
export {
  readTar,
  tarMembers,
  TarParser,
  type TarEntry,
  type TarMember,
  type TarSink,
} from './tar-reader';
export {
  loadCifarFromStream,
  loadCifarFromFiles,
  type LoadOptions,
  type DroppedFile,
} from './load-dataset';
export { isAbortError } from './byte-source';
export {
  CIFAR100_MEAN,
  CIFAR100_STD,
  normalizationLut,
  imagesToNHWC,
  makeBatch,
  type Batch,
  type BatchOptions,
} from './normalize';
export { STANDARD_AUGMENT, SEED_AUGMENT, type AugmentOptions } from './augment';
export { autoAugment, CIFAR10_POLICY } from './autoaugment';
