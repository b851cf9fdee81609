/**
 * Plumbing for streamed loads: a pull-based chunk reader with look-ahead (format sniffing), byte
 * progress with an ETA from the observed rate, and cancellation through an AbortSignal.
 */
import type { LoadProgress } from './types';

/** The error a cancelled load rejects with (name 'AbortError', like fetch). */
export function abortError(): DOMException {
  return new DOMException('Load cancelled', 'AbortError');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

const now = (): number => performance.now();

/**
 * Byte progress shared by every file of one load: `add` counts bytes read and reports at most
 * every `intervalMs`; `finish` always reports the final count with phase 'done'.
 */
export class ProgressMeter {
  bytes = 0;
  private readonly t0 = now();
  private last = -Infinity;

  constructor(
    readonly totalBytes: number | null,
    private readonly onProgress?: (p: LoadProgress) => void,
    private readonly intervalMs = 100,
  ) {}

  add(n: number): void {
    this.bytes += n;
    const t = now();
    if (t - this.last >= this.intervalMs) {
      this.last = t;
      this.report('reading');
    }
  }

  finish(): void {
    this.report('done');
  }

  private report(phase: string): void {
    if (!this.onProgress) return;
    this.onProgress({
      phase,
      bytes: this.bytes,
      totalBytes: this.totalBytes,
      etaSeconds: phase === 'done' ? 0 : this.eta(),
    });
  }

  private eta(): number | null {
    const seconds = (now() - this.t0) / 1000;
    if (this.totalBytes === null || this.bytes === 0 || seconds <= 0) return null;
    const rate = this.bytes / seconds;
    return Math.max(0, this.totalBytes - this.bytes) / rate;
  }
}

/** Pull-based chunks with look-ahead; `pull` resolves null at the end of the input. */
export class ChunkReader {
  private readonly queued: Uint8Array[] = [];

  constructor(private readonly pull: () => Promise<Uint8Array | null>) {}

  async next(): Promise<Uint8Array | null> {
    return this.queued.shift() ?? this.pull();
  }

  /** Reads ahead until ≥ n bytes are buffered or the input ends; returns (up to) the first n. */
  async peek(n: number): Promise<Uint8Array> {
    let have = this.queued.reduce((s, c) => s + c.length, 0);
    while (have < n) {
      const c = await this.pull();
      if (c === null) break;
      this.queued.push(c);
      have += c.length;
    }
    const head = new Uint8Array(Math.min(n, have));
    let at = 0;
    for (const c of this.queued) {
      if (at >= head.length) break;
      const part = c.subarray(0, head.length - at);
      head.set(part, at);
      at += part.length;
    }
    return head;
  }

  /** As an async iterable (for the tar reader). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const c = await this.next();
      if (c === null) return;
      yield c;
    }
  }

  /** As a ReadableStream (to pipe through a DecompressionStream). */
  toStream(onCancel: (reason: unknown) => Promise<void>): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (ctrl) => {
        const c = await this.next();
        if (c === null) ctrl.close();
        else ctrl.enqueue(c);
      },
      cancel: onCancel,
    });
  }
}

/** Hex dump of the first bytes, for "what is this file?" errors. */
export function hexHead(bytes: Uint8Array, n = 8): string {
  return Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');
}
