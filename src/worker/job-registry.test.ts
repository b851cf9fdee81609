import { describe, expect, it } from 'vitest';
import { batcher, JobRegistry, throttle } from './job-registry';

describe('job registry', () => {
  it('cancels a running job by id', () => {
    const reg = new JobRegistry();
    const job = reg.start('a');
    expect(reg.cancel('a')).toBe(true);
    expect(job.controller.signal.aborted).toBe(true);
    expect(reg.cancel('nope')).toBe(false);
  });

  it('pauses and resumes only jobs that can pause', () => {
    const reg = new JobRegistry();
    const calls: string[] = [];
    reg.start('t').pausable = {
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    };
    reg.start('load');
    expect(reg.setPaused('t', true)).toBe(true);
    expect(reg.setPaused('t', false)).toBe(true);
    expect(reg.setPaused('load', true)).toBe(false);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('unregisters a job when it ends, even on error', async () => {
    const reg = new JobRegistry();
    await expect(reg.run('b', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(reg.get('b')).toBeUndefined();
    expect(() => reg.start('b')).not.toThrow();
    expect(() => reg.start('b')).toThrow("job 'b' is already running");
  });

  it('throttle passes the first value and flushes the last held one', () => {
    const seen: number[] = [];
    const t = throttle((v: number) => seen.push(v), 60_000);
    t.push(1);
    t.push(2);
    t.push(3);
    expect(seen).toEqual([1]);
    t.flush();
    expect(seen).toEqual([1, 3]);
    t.flush();
    expect(seen).toEqual([1, 3]);
  });

  it('batcher delivers every item exactly once, in order', () => {
    const seen: number[][] = [];
    const b = batcher((items: number[]) => seen.push(items), 60_000);
    b.push(1);
    b.push(2);
    b.push(3);
    b.flush();
    b.flush();
    expect(seen).toEqual([[1], [2, 3]]);
  });
});
