/** Public API of the data layer: load, validate, normalise, augment and batch CIFAR-100. */
export * from './types.ts';
export {
  parseRecords,
  RecordAssembler,
  checkRecordLength,
  sliceSplit,
  imageAt,
} from './cifar-records.ts';
export { FINE_LABEL_NAMES, COARSE_LABEL_NAMES, parseLabelNames } from './label-names.ts';
export {
  readTar,
  tarMembers,
  TarParser,
  type TarEntry,
  type TarMember,
  type TarSink,
} from './tar-reader.ts';
export {
  loadCifarFromStream,
  loadCifarFromFiles,
  type LoadOptions,
  type DroppedFile,
} from './load-dataset.ts';
export { isAbortError } from './byte-source.ts';
export {
  CIFAR100_MEAN,
  CIFAR100_STD,
  normalizationLut,
  imagesToNHWC,
  makeBatch,
  type Batch,
  type BatchOptions,
} from './normalize.ts';
export { STANDARD_AUGMENT, SEED_AUGMENT, type AugmentOptions } from './augment.ts';
export { autoAugment, CIFAR10_POLICY } from './autoaugment.ts';
