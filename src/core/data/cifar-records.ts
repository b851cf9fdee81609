/**
 * CIFAR-100 binary records (Krizhevsky 2009): each record is 1 coarse-label byte (0–19), 1
 * fine-label byte (0–99) and 3072 pixel bytes (R, G, B planes of 32×32, row-major: CHW).
 *
 * `RecordAssembler` takes the bytes of one file in chunks of any size (as they come out of a
 * stream) and writes them straight into preallocated label / image arrays, so a 150 MB member is
 * never held twice. Pixels are copied with `TypedArray.set` on subarrays, never byte by byte.
 */
import {
  type CifarSplit,
  DataError,
  IMAGE_BYTES,
  NUM_COARSE,
  NUM_FINE,
  RECORD_BYTES,
} from './types';

/** Throws unless `byteLength` is a whole number of records; `what` names the file. */
export function checkRecordLength(byteLength: number, what: string): number {
  if (byteLength % RECORD_BYTES !== 0) {
    const whole = Math.floor(byteLength / RECORD_BYTES);
    const rest = byteLength - whole * RECORD_BYTES;
    throw new DataError(
      `${what}: ${byteLength} bytes is not a whole number of ${RECORD_BYTES}-byte CIFAR-100 ` +
        `records (${whole} records + ${rest} bytes)`,
    );
  }
  return byteLength / RECORD_BYTES;
}

/** Streaming record parser: push chunks, then `finish()` for the split. */
export class RecordAssembler {
  private images: Uint8Array;
  private coarse: Uint8Array;
  private fine: Uint8Array;
  private capacity: number;
  private readonly fixed: boolean;
  /** Records completed so far. */
  private count = 0;
  /** Bytes of the current (incomplete) record seen so far: 0 … RECORD_BYTES − 1. */
  private pos = 0;
  private bytes = 0;

  /**
   * @param what file name for error messages
   * @param expectedBytes byte length when known (tar header, file size): arrays are preallocated
   *   exactly and a wrong length fails before any byte is read; null → arrays grow by doubling.
   */
  constructor(
    private readonly what: string,
    expectedBytes: number | null = null,
  ) {
    this.fixed = expectedBytes !== null;
    this.capacity = expectedBytes === null ? 1024 : checkRecordLength(expectedBytes, what);
    this.images = new Uint8Array(this.capacity * IMAGE_BYTES);
    this.coarse = new Uint8Array(this.capacity);
    this.fine = new Uint8Array(this.capacity);
  }

  /** Bytes pushed so far. */
  get bytesSeen(): number {
    return this.bytes;
  }

  push(chunk: Uint8Array): void {
    let o = 0;
    const n = chunk.length;
    this.bytes += n;
    while (o < n) {
      if (this.pos === 0 && this.count >= this.capacity) this.grow();
      const r = this.count;
      if (this.pos === 0 && n - o >= RECORD_BYTES) {
        // Fast path: a whole record inside this chunk.
        this.setLabels(r, chunk[o]!, chunk[o + 1]!);
        this.images.set(chunk.subarray(o + 2, o + RECORD_BYTES), r * IMAGE_BYTES);
        o += RECORD_BYTES;
        this.count++;
        continue;
      }
      // Slow path: a record split across chunks.
      if (this.pos === 0) {
        this.coarse[r] = chunk[o++]!;
        this.pos = 1;
      } else if (this.pos === 1) {
        this.fine[r] = chunk[o++]!;
        this.pos = 2;
        this.setLabels(r, this.coarse[r]!, this.fine[r]!);
      } else {
        const take = Math.min(RECORD_BYTES - this.pos, n - o);
        this.images.set(chunk.subarray(o, o + take), r * IMAGE_BYTES + this.pos - 2);
        o += take;
        this.pos += take;
        if (this.pos === RECORD_BYTES) {
          this.pos = 0;
          this.count++;
        }
      }
    }
  }

  /** Validates the total length and returns the split (arrays trimmed to the record count). */
  finish(): CifarSplit {
    if (this.pos !== 0 || (this.fixed && this.count !== this.capacity)) {
      if (this.fixed && this.pos === 0) {
        throw new DataError(
          `${this.what}: expected ${this.capacity * RECORD_BYTES} bytes, got ${this.bytes}`,
        );
      }
      checkRecordLength(this.bytes, this.what);
    }
    if (this.count === 0) throw new DataError(`${this.what}: no records (0 bytes)`);
    const c = this.count;
    const trim = c === this.capacity;
    return {
      images: trim ? this.images : this.images.slice(0, c * IMAGE_BYTES),
      coarse: trim ? this.coarse : this.coarse.slice(0, c),
      fine: trim ? this.fine : this.fine.slice(0, c),
      count: c,
    };
  }

  private setLabels(r: number, coarse: number, fine: number): void {
    if (coarse >= NUM_COARSE) {
      throw new DataError(
        `${this.what}: record ${r} has coarse label ${coarse}, expected 0–${NUM_COARSE - 1}`,
      );
    }
    if (fine >= NUM_FINE) {
      throw new DataError(
        `${this.what}: record ${r} has fine label ${fine}, expected 0–${NUM_FINE - 1}`,
      );
    }
    this.coarse[r] = coarse;
    this.fine[r] = fine;
  }

  private grow(): void {
    if (this.fixed) {
      throw new DataError(
        `${this.what}: more than the expected ${this.capacity * RECORD_BYTES} bytes`,
      );
    }
    const cap = this.capacity * 2;
    const images = new Uint8Array(cap * IMAGE_BYTES);
    images.set(this.images);
    const coarse = new Uint8Array(cap);
    coarse.set(this.coarse);
    const fine = new Uint8Array(cap);
    fine.set(this.fine);
    this.images = images;
    this.coarse = coarse;
    this.fine = fine;
    this.capacity = cap;
  }
}

/** Parses a whole .bin buffer (`what` names it in errors). */
export function parseRecords(bytes: Uint8Array, what: string): CifarSplit {
  const asm = new RecordAssembler(what, bytes.length);
  asm.push(bytes);
  return asm.finish();
}

/** Records [start, start + count) of a split as a new split (copies). */
export function sliceSplit(split: CifarSplit, start: number, count: number): CifarSplit {
  if (start < 0 || count < 0 || start + count > split.count) {
    throw new DataError(`slice [${start}, ${start + count}) is outside 0…${split.count}`);
  }
  return {
    images: split.images.slice(start * IMAGE_BYTES, (start + count) * IMAGE_BYTES),
    coarse: split.coarse.slice(start, start + count),
    fine: split.fine.slice(start, start + count),
    count,
  };
}

/** The CHW bytes of image `i` (a view, not a copy). [3, 32, 32] */
export function imageAt(split: CifarSplit, i: number): Uint8Array {
  if (!(i >= 0 && i < split.count)) {
    throw new DataError(`image index ${i} is outside 0…${split.count - 1}`);
  }
  return split.images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES);
}
