/**
 * Cooperative pause / resume / cancel for long jobs. The job calls `await control.proceed()`
 * between steps: it returns at once while running, waits while paused, and returns false once
 * cancelled (also when cancelled during a pause). `aborted` makes it usable as a CancelSignal.
 */

export type ControlState = 'running' | 'paused' | 'cancelled';

export class TrainControl {
  private current: ControlState = 'running';
  private wake: (() => void) | null = null;
  private waiting: Promise<void> | null = null;

  get state(): ControlState {
    return this.current;
  }

  get aborted(): boolean {
    return this.current === 'cancelled';
  }

  pause(): void {
    if (this.current === 'running') this.current = 'paused';
  }

  resume(): void {
    if (this.current !== 'paused') return;
    this.current = 'running';
    this.release();
  }

  cancel(): void {
    this.current = 'cancelled';
    this.release();
  }

  /** true = go on with the next step; false = cancelled, stop now. */
  async proceed(): Promise<boolean> {
    while (this.current === 'paused') {
      this.waiting ??= new Promise<void>((resolve) => (this.wake = resolve));
      await this.waiting;
    }
    return this.current === 'running';
  }

  private release(): void {
    const wake = this.wake;
    this.wake = null;
    this.waiting = null;
    wake?.();
  }
}
