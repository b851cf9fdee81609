// Test-only helpers for the compressed checkpoint: compress a small network under a recipe, and
// rewrite a file's JSON header (with a fresh CRC) to forge structurally valid but wrong files.
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import { compressNetwork, type CompressedNetwork } from '../../compress/apply-recipe';
import type { Network } from '../../graph/network';
import type { Recipe } from '../../recipe';
import { syntheticSource } from '../../train/synthetic-source';
import { crc32 } from '../zip-reader';
import { CRC_BYTES, FIXED_HEADER_BYTES } from './format';

/** compressNetwork, calibrating on 2 batches of a synthetic source of 8×8 images. */
export function compressWith(net: Network, recipe: Recipe): Promise<CompressedNetwork> {
  const calibration = syntheticSource({ size: 32, numClasses: 10, imageShape: [8, 8, 3], seed: 5 });
  return compressNetwork(net, { calibrationBatches: 2, ...recipe }, { calibration });
}

/** The file with its JSON header replaced by mutate(header), lengths and CRC made consistent. */
export function rewriteHeader(
  bytes: Uint8Array,
  mutate: (h: Record<string, unknown>) => void,
  payload?: (p: Uint8Array) => Uint8Array,
): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hLen = view.getUint32(12, true);
  const h = JSON.parse(
    strFromU8(inflateSync(bytes.subarray(FIXED_HEADER_BYTES, FIXED_HEADER_BYTES + hLen))),
  ) as Record<string, unknown>;
  mutate(h);
  const raw = strToU8(JSON.stringify(h));
  const header = deflateSync(raw);
  let body = bytes.subarray(FIXED_HEADER_BYTES + hLen, bytes.length - CRC_BYTES);
  if (payload) body = payload(body.slice());
  const total = FIXED_HEADER_BYTES + header.length + body.length + CRC_BYTES;
  const out = new Uint8Array(total);
  out.set(bytes.subarray(0, FIXED_HEADER_BYTES));
  const v = new DataView(out.buffer);
  v.setUint32(8, total, true);
  v.setUint32(12, header.length, true);
  v.setUint32(16, raw.length, true);
  out.set(header, FIXED_HEADER_BYTES);
  out.set(body, FIXED_HEADER_BYTES + header.length);
  v.setUint32(total - CRC_BYTES, crc32(out.subarray(0, total - CRC_BYTES)), true);
  return out;
}
