/** CIFAR-100 in memory, exactly as the official binary records hold it. */

export const IMAGE_SIZE = 32;
export const IMAGE_BYTES = 3072; // 3 × 32 × 32, planes R, G, B, each row-major (CHW)
export const RECORD_BYTES = 3074; // 1 coarse byte + 1 fine byte + pixels
export const NUM_FINE = 100;
export const NUM_COARSE = 20;

export interface CifarSplit {
  /** count × 3072 bytes, CHW per image (as in the file). */
  images: Uint8Array;
  /** count coarse labels (0–19). */
  coarse: Uint8Array;
  /** count fine labels (0–99). */
  fine: Uint8Array;
  count: number;
}

export interface CifarDataset {
  train?: CifarSplit;
  test?: CifarSplit;
  fineNames: string[];
  coarseNames: string[];
}

/** Progress of a long load: bytes read so far of `totalBytes` (null when unknown). */
export interface LoadProgress {
  phase: string;
  bytes: number;
  totalBytes: number | null;
  /** Seconds left, estimated from the byte rate so far; null when unknown. */
  etaSeconds: number | null;
}

/** A load/parse failure with a message naming what was wrong. */
export class DataError extends Error {
  override name = 'DataError';
}
