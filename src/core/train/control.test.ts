import { describe, expect, it } from 'vitest';
import { TrainControl } from './control';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('TrainControl', () => {
  it('proceeds at once while running', async () => {
    const c = new TrainControl();
    expect(await c.proceed()).toBe(true);
    expect(c.state).toBe('running');
  });

  it('waits while paused and continues on resume', async () => {
    const c = new TrainControl();
    c.pause();
    let done: boolean | null = null;
    void c.proceed().then((v) => (done = v));
    await tick();
    expect(done).toBe(null);
    c.resume();
    await tick();
    expect(done).toBe(true);
  });

  it('cancel releases a paused waiter with false and is final', async () => {
    const c = new TrainControl();
    c.pause();
    const waiting = c.proceed();
    c.cancel();
    expect(await waiting).toBe(false);
    c.resume();
    c.pause();
    expect(c.state).toBe('cancelled');
    expect(c.aborted).toBe(true);
    expect(await c.proceed()).toBe(false);
  });
});
