/**
 * Main-thread watchdog pieces for the lab worker (used by ./lab-client.ts, DOM-free so they are
 * unit-tested in Node):
 * - guardRemote: a Comlink remote whose calls also reject once the worker is declared dead — a
 *   call posted to a terminated worker never settles on its own;
 * - Heartbeat: pings the worker every `everyMs` and reports a hang when a ping stays unanswered
 *   for `hangAfterMs`. The worker answers between training steps (core train yields after each),
 *   so only a step that blocks longer than that trips it (see HANG_AFTER_MS in lab-client.ts).
 */

/** Why a worker call failed: the worker stopped (crash, device loss, hang) before it answered. */
export class WorkerLostError extends Error {
  override name = 'WorkerLostError';
}

/** True for the rejection of a call whose worker was lost (also across module copies). */
export function isWorkerLost(err: unknown): boolean {
  return err instanceof Error && err.name === 'WorkerLostError';
}

/**
 * Messages that leave the worker unusable although it still answers: an Emscripten abort()
 * ("Aborted(). Build with -sASSERTIONS for more info."), a WebAssembly trap, or memory that could
 * not be allocated. After one of these every later call fails too, so the worker is replaced.
 */
const BROKEN_WORKER: readonly RegExp[] = [
  /\bAborted\(/,
  /memory access out of bounds/i,
  /\bout of memory\b/i,
  /\bOOM\b/,
  /Cannot enlarge memory/i,
  /Array buffer allocation failed/i,
  /could not allocate memory/i,
  /\bunreachable\b.*\b(executed|code)\b/i,
];

const REASON_CHARS = 120;

/**
 * Why the error from a worker call means the worker itself is broken (a wasm abort or trap, out
 * of memory), as the clause "The worker stopped (…)" takes it; null for an ordinary job failure.
 */
export function brokenWorkerReason(err: unknown): string | null {
  if (isWorkerLost(err)) return null;
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name !== 'RuntimeError' && !BROKEN_WORKER.some((re) => re.test(message))) return null;
  const line = (message.split('\n')[0] ?? '').trim() || name;
  const short = line.length > REASON_CHARS ? `${line.slice(0, REASON_CHARS - 1)}…` : line;
  return `it failed inside WebAssembly or ran out of memory: ${short}`;
}

type AnyFn = (...args: unknown[]) => unknown;

/**
 * `remote` with every method call raced against `dead` (a promise that rejects when the worker
 * is lost); `onCall` sees each call's method name and arguments first, and `onError` each
 * rejection (it returns the error the caller gets, e.g. a WorkerLostError for a broken worker).
 */
export function guardRemote<T extends object>(
  remote: T,
  dead: Promise<never>,
  onCall?: (method: string, args: unknown[]) => void,
  onError?: (error: unknown) => unknown,
): T {
  let lost: { error: unknown } | null = null;
  dead.catch((error: unknown) => (lost = { error }));
  return new Proxy(remote, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof prop !== 'string' || prop === 'then' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        onCall?.(prop, args);
        if (lost) return Promise.reject(lost.error as Error);
        const call = Promise.race([(value as AnyFn)(...args), dead]);
        return onError ? call.catch((e: unknown) => Promise.reject(onError(e))) : call;
      };
    },
  });
}

export interface HeartbeatOptions {
  everyMs: number;
  hangAfterMs: number;
}

export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | null = null;
  private waiting = false;
  private stopped = false;

  constructor(
    private readonly ping: () => Promise<unknown>,
    private readonly onHang: (silentMs: number) => void,
    private readonly options: HeartbeatOptions,
  ) {}

  start(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setInterval(() => {
      if (this.waiting) return;
      this.waiting = true;
      void this.probe(this.options.hangAfterMs).then(() => (this.waiting = false));
    }, this.options.everyMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Pings now; reports a hang (once) when no answer comes within `timeoutMs`. */
  probe(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const deadline = setTimeout(() => {
        if (!this.stopped) {
          this.stop();
          this.onHang(timeoutMs);
        }
        resolve();
      }, timeoutMs);
      this.ping().then(
        () => {
          clearTimeout(deadline);
          resolve();
        },
        () => undefined, // a dead worker's ping rejects through the guard: the deadline decides
      );
    });
  }
}
