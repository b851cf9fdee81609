// The worker watchdog: calls pending on a lost worker reject instead of hanging forever, and the
// heartbeat reports a hang only after a ping stays unanswered for the whole limit.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { guardRemote, Heartbeat, WorkerLostError } from './worker-watchdog.ts';

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
