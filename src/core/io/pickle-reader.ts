/**
 * Bounds-checked little-endian reads over a pickle's bytes for the pickle VM: every read that
 * would run past the end throws PickleError "truncated pickle at byte N".
 */
import { decodeLegacyString, MAX_INT_DIGITS, normInt } from './pickle-text';
import { PickleError } from './pickle-values';

export class PickleReader {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  take(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new PickleError(`invalid length ${n}`);
    if (n > this.remaining) {
      throw new PickleError(
        `truncated pickle at byte ${this.bytes.length}: needs ${n} bytes at byte ${this.pos}`,
      );
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Unsigned little-endian integer of n bytes (must stay below 2^53). */
  uint(n: 1 | 2 | 4 | 8): number {
    const b = this.take(n);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
    if (!Number.isSafeInteger(v)) throw new PickleError(`length ${v} is too large`);
    return v;
  }

  int32(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
  }

  float64be(): number {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, false);
  }

  /** Bytes up to the next newline (consumed, not returned). */
  lineBytes(): Uint8Array {
    const nl = this.bytes.indexOf(0x0a, this.pos);
    if (nl < 0) throw new PickleError(`truncated pickle at byte ${this.bytes.length}: no newline`);
    const raw = this.bytes.subarray(this.pos, nl);
    this.pos = nl + 1;
    return raw;
  }

  line(): string {
    return decodeLegacyString(this.lineBytes());
  }

  /** LONG1 / LONG4 payload: n-byte little-endian two's complement. */
  long(n: number): number | bigint {
    if (n < 0) throw new PickleError(`negative LONG length ${n}`);
    if (n > MAX_INT_DIGITS) throw new PickleError(`LONG of ${n} bytes exceeds ${MAX_INT_DIGITS}`);
    const b = this.take(n);
    if (n === 0) return 0;
    let hex = '0x';
    for (let i = n - 1; i >= 0; i--) hex += b[i]!.toString(16).padStart(2, '0');
    let v = BigInt(hex); // one linear conversion, not n shifts
    if (b[n - 1]! >= 0x80) v -= 1n << BigInt(8 * n);
    return normInt(v);
  }
}
