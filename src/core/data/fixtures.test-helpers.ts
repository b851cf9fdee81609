/**
 * Test-only helpers: build CIFAR records, ustar archives and chunked streams in memory.
 * (Imported by *.test.ts only.)
 */
import { IMAGE_BYTES, RECORD_BYTES } from './types';

/** n records; record r has coarse r % 20, fine r % 100 and pixel k = (r + k) & 255 (or `pixel`). */
export function makeBin(
  n: number,
  label: (r: number) => [number, number] = (r) => [r % 20, r % 100],
  pixel: (r: number, k: number) => number = (r, k) => (r + k) & 255,
): Uint8Array {
  const out = new Uint8Array(n * RECORD_BYTES);
  for (let r = 0; r < n; r++) {
    const o = r * RECORD_BYTES;
    const [c, f] = label(r);
    out[o] = c;
    out[o + 1] = f;
    for (let k = 0; k < IMAGE_BYTES; k++) out[o + 2 + k] = pixel(r, k);
  }
  return out;
}

function putString(h: Uint8Array, at: number, len: number, s: string): void {
  const b = new TextEncoder().encode(s);
  h.set(b.subarray(0, len), at);
}

function putOctal(h: Uint8Array, at: number, len: number, v: number): void {
  putString(h, at, len, v.toString(8).padStart(len - 1, '0') + '\0');
}

/** A ustar header block for a regular file (or `type`). */
export function tarHeader(name: string, size: number, type = '0'): Uint8Array {
  const h = new Uint8Array(512);
  putString(h, 0, 100, name);
  putOctal(h, 100, 8, 0o644);
  putOctal(h, 108, 8, 0);
  putOctal(h, 116, 8, 0);
  putOctal(h, 124, 12, size);
  putOctal(h, 136, 12, 0);
  h[156] = type.charCodeAt(0);
  putString(h, 257, 6, 'ustar\0');
  putString(h, 263, 2, '00');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  putString(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** A complete tar (members + two zero blocks). */
export function makeTar(members: { name: string; bytes: Uint8Array; type?: string }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    parts.push(tarHeader(m.name, m.bytes.length, m.type));
    parts.push(m.bytes);
    const pad = (512 - (m.bytes.length % 512)) % 512;
    parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(1024));
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A stream of `bytes` in chunks of `chunk` bytes (copies, like a real source). */
export function streamOf(bytes: Uint8Array, chunk = 65536): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (at >= bytes.length) {
        ctrl.close();
        return;
      }
      ctrl.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Byte-wise equality of two typed arrays (vitest's toEqual is slow on large typed arrays). */
export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const view = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return view(a).equals(view(b));
}
