// The worker watchdog: calls pending on a lost worker reject instead of hanging forever, the
// heartbeat reports a hang only after a ping stays unanswered for the whole limit, and the errors
// that mean a broken worker (wasm abort, trap, out of memory) are told from ordinary job errors.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  brokenWorkerReason,
  guardRemote,
  Heartbeat,
  isWorkerLost,
  WorkerLostError,
} from './worker-watchdog';

/** An error as Comlink rebuilds it on the main thread (message and name copied). */
function crossed(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, message });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('guardRemote', () => {
  it('passes answers through and rejects pending calls once the worker is lost', async () => {
    let fail: (e: Error) => void = () => undefined;
    const dead = new Promise<never>((_, reject) => (fail = reject));
    dead.catch(() => undefined);
    const calls: string[] = [];
    const remote = {
      add: (a: number, b: number) => Promise.resolve(a + b),
      never: () => new Promise<number>(() => undefined),
      value: 7,
    };
    const lab = guardRemote(remote, dead, (m, args) => calls.push(`${m}(${args.join(',')})`));
    expect(await lab.add(2, 3)).toBe(5);
    expect(lab.value).toBe(7);
    expect((lab as unknown as { then?: unknown }).then).toBeUndefined();
    const pending = lab.never();
    fail(new WorkerLostError('The worker stopped (test)'));
    await expect(pending).rejects.toThrow('The worker stopped (test)');
    await expect(lab.add(1, 1)).rejects.toBeInstanceOf(WorkerLostError);
    expect(calls).toEqual(['add(2,3)', 'never()', 'add(1,1)']);
  });
});

describe('broken worker', () => {
  it('treats wasm aborts, traps and out-of-memory errors as a broken worker', () => {
    const abort = 'Aborted(). Build with -sASSERTIONS for more info.';
    expect(brokenWorkerReason(crossed('RuntimeError', abort))).toBe(
      `it failed inside WebAssembly or ran out of memory: ${abort}`,
    );
    expect(brokenWorkerReason(crossed('RuntimeError', 'memory access out of bounds'))).toMatch(
      /: memory access out of bounds$/,
    );
    expect(brokenWorkerReason(crossed('RuntimeError', 'divide by zero'))).not.toBeNull();
    // Wrapped by a service, or thrown as a plain Error / a string: the message decides.
    expect(brokenWorkerReason(new Error(`Analysis failed: ${abort}`))).not.toBeNull();
    expect(brokenWorkerReason('Aborted(OOM)')).not.toBeNull();
    expect(brokenWorkerReason(new RangeError('Array buffer allocation failed'))).not.toBeNull();
    expect(brokenWorkerReason(new Error('Cannot enlarge memory arrays to size 4294967296'))).toBe(
      'it failed inside WebAssembly or ran out of memory: Cannot enlarge memory arrays to size 4294967296',
    );
    expect(brokenWorkerReason(new Error('WebGPU: out of memory while allocating'))).not.toBeNull();
    const long = brokenWorkerReason(new Error(`Aborted(${'x'.repeat(300)})\nstack`))!;
    expect(long.length).toBeLessThan(200);
    expect(long.endsWith('…')).toBe(true);
  });

  it('leaves ordinary job errors, cancellations and lost-worker errors alone', () => {
    expect(
      brokenWorkerReason(new Error('K-FAC needs 4 × 32 = 128 records; the train split has 64.')),
    ).toBeNull();
    expect(brokenWorkerReason(crossed('AbortError', 'The job was cancelled'))).toBeNull();
    expect(brokenWorkerReason(new Error('Load the CIFAR-100 data first'))).toBeNull();
    expect(brokenWorkerReason(new Error('zoom room boom'))).toBeNull();
    const lost = new WorkerLostError('The worker stopped (Aborted()); this job was interrupted.');
    expect(brokenWorkerReason(lost)).toBeNull();
    expect(isWorkerLost(lost)).toBe(true);
    expect(isWorkerLost(crossed('WorkerLostError', 'x'))).toBe(true);
    expect(isWorkerLost(new Error('x'))).toBe(false);
  });

  it('guardRemote hands each rejection to onError and rejects with what it returns', async () => {
    const dead = new Promise<never>(() => undefined);
    const seen: unknown[] = [];
    const remote = {
      abort: () => Promise.reject(crossed('RuntimeError', 'memory access out of bounds')),
      fail: () => Promise.reject(new Error('bad input')),
      ok: () => Promise.resolve(1),
    };
    const lab = guardRemote(remote, dead, undefined, (e) => {
      seen.push(e);
      return brokenWorkerReason(e) ? new WorkerLostError('The worker stopped') : e;
    });
    await expect(lab.abort()).rejects.toBeInstanceOf(WorkerLostError);
    await expect(lab.fail()).rejects.toThrow('bad input');
    expect(await lab.ok()).toBe(1);
    expect(seen).toHaveLength(2);
  });
});

describe('Heartbeat', () => {
  it('stays quiet while pings are answered, even slowly', async () => {
    vi.useFakeTimers();
    const onHang = vi.fn();
    // Each answer takes 40 s: slow, but under the 60 s limit.
    const ping = () => new Promise((resolve) => setTimeout(resolve, 40_000));
    const hb = new Heartbeat(ping, onHang, { everyMs: 10_000, hangAfterMs: 60_000 });
    hb.start();
    await vi.advanceTimersByTimeAsync(600_000);
    hb.stop();
    expect(onHang).not.toHaveBeenCalled();
  });

  it('reports a silent worker once, after the limit', async () => {
    vi.useFakeTimers();
    const onHang = vi.fn();
    let answer = true;
    const ping = () => (answer ? Promise.resolve(1) : new Promise<number>(() => undefined));
    const hb = new Heartbeat(ping, onHang, { everyMs: 10_000, hangAfterMs: 60_000 });
    hb.start();
    await vi.advanceTimersByTimeAsync(30_000);
    answer = false; // the worker dies: the ping sent at 40 s is never answered
    await vi.advanceTimersByTimeAsync(69_000); // t = 99 s
    expect(onHang).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000); // t = 100 s: 60 s after the unanswered ping
    expect(onHang).toHaveBeenCalledExactlyOnceWith(60_000);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(onHang).toHaveBeenCalledTimes(1);
  });

  it('probe(short) detects a killed worker fast', async () => {
    vi.useFakeTimers();
    const onHang = vi.fn();
    const hb = new Heartbeat(() => new Promise(() => undefined), onHang, {
      everyMs: 10_000,
      hangAfterMs: 300_000,
    });
    void hb.probe(2_000);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(onHang).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onHang).toHaveBeenCalledWith(2_000);
  });
});
