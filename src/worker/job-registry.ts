/**
 * Worker-side registry of running jobs, keyed by the id the main thread chose. Each job has an
 * AbortController (cancel); a training job also attaches a Pausable (core's TrainControl) so
 * pause / resume reach it between steps.
 */

export interface Pausable {
  pause(): void;
  resume(): void;
}

export interface WorkerJob {
  id: string;
  controller: AbortController;
  pausable: Pausable | null;
}

export class JobRegistry {
  private readonly jobs = new Map<string, WorkerJob>();

  start(id: string): WorkerJob {
    if (this.jobs.has(id)) throw new Error(`job '${id}' is already running`);
    const job: WorkerJob = { id, controller: new AbortController(), pausable: null };
    this.jobs.set(id, job);
    return job;
  }

  get(id: string): WorkerJob | undefined {
    return this.jobs.get(id);
  }

  /** Aborts the job; false when no such job runs. */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  /** Pauses (true) or resumes (false) a job that can pause; false when it cannot. */
  setPaused(id: string, paused: boolean): boolean {
    const p = this.jobs.get(id)?.pausable;
    if (!p) return false;
    if (paused) p.pause();
    else p.resume();
    return true;
  }

  end(id: string): void {
    this.jobs.delete(id);
  }

  /** Runs `fn` as job `id`, always unregistering it afterwards. */
  async run<T>(id: string, fn: (job: WorkerJob) => Promise<T>): Promise<T> {
    const job = this.start(id);
    try {
      return await fn(job);
    } finally {
      this.end(id);
    }
  }
}

/**
 * Rate-limits a callback to one call per `ms` (the first call always passes); `flush` delivers
 * the last value held back.
 */
export function throttle<T>(
  fn: (v: T) => void,
  ms: number,
): { push: (v: T) => void; flush: () => void } {
  let last = -Infinity;
  let pending: { v: T } | null = null;
  return {
    push: (v) => {
      const now = performance.now();
      if (now - last >= ms) {
        last = now;
        pending = null;
        fn(v);
      } else {
        pending = { v };
      }
    },
    flush: () => {
      if (pending) fn(pending.v);
      pending = null;
    },
  };
}

/** Collects items and hands them over in arrays at most every `ms` (and on flush). */
export function batcher<T>(
  fn: (items: T[]) => void,
  ms: number,
): { push: (v: T) => void; flush: () => void } {
  let items: T[] = [];
  const t = throttle(() => {
    const out = items;
    items = [];
    if (out.length) fn(out);
  }, ms);
  return {
    push: (v) => {
      items.push(v);
      t.push(undefined);
    },
    flush: () => {
      t.flush();
      const out = items;
      items = [];
      if (out.length) fn(out);
    },
  };
}
