/**
 * The compressed checkpoint (docs/COMPRESSED_FORMAT.md): the parameter storage the MicroNet
 * score counts, as a file. writeCompressed / readCompressed / isCompressedCheckpoint.
 */
export * from './format';
export {
  packSigned,
  packUnsigned,
  packedBytes,
  signedRange,
  unpackSigned,
  unpackUnsigned,
} from './bit-pack';
export { floatDtypeOf, storedParams, writeCompressed } from './write-compressed';
export { isCompressedCheckpoint, readCompressed } from './read-compressed';
