/**
 * Main-thread cost from a Chromium trace (category disabled-by-default-devtools.timeline): the
 * renderer main thread's RunTask events with their wall time (dur) and CPU time (tdur, thread
 * time: the work itself, without the time a busy machine kept the thread off a core), split at
 * two user-timing marks (performance.mark in the page). Used by bench/browser-score-drag.ts.
 */

/** One frame at 60 Hz. */
export const FRAME_MS = 1000 / 60;

export interface Dist {
  n: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export function dist(xs: number[]): Dist {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { n: s.length, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: s[s.length - 1] ?? NaN };
}

/** Main-thread tasks: wall time, and CPU (thread) time — what the task itself cost. */
export interface TaskStats {
  n: number;
  wall: Dist;
  cpu: Dist;
  wallOverFrame: number;
  cpuOverFrame: number;
  /** When the task with the most CPU time started (ms after the first mark). */
  longestCpuAtMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export const TRACE_CATEGORIES = [
  'disabled-by-default-devtools.timeline',
  'blink.user_timing',
  '__metadata',
];

export interface Task {
  /** Start, ms after the first mark. */
  atMs: number;
  wall: number;
  cpu: number;
}

/**
 * The busiest renderer main thread's RunTask events (ms) in a Chromium trace: those between the
 * user-timing marks `markDown` and `markUp` (drag), and those from `markUp` on (release).
 */
export function rendererTasks(
  trace: Buffer,
  markDown: string,
  markUp: string,
): { drag: Task[]; release: Task[] } {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const markAt = (name: string): number => {
    const e = events.find((x) => x.name === name);
    if (!e) throw new Error(`trace: mark '${name}' is not in the trace`);
    return e.ts;
  };
  const down = markAt(markDown);
  const upMs = (markAt(markUp) - down) / 1000;
  const mains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const byThread = new Map<string, Task[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.name !== 'RunTask' || e.ph !== 'X' || !mains.has(key)) continue;
    const list = byThread.get(key) ?? [];
    list.push({ atMs: (e.ts - down) / 1000, wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? 0) / 1000 });
    byThread.set(key, list);
  }
  const tasks = [...byThread.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  return {
    drag: tasks.filter((t) => t.atMs >= 0 && t.atMs < upMs),
    release: tasks.filter((t) => t.atMs >= upMs),
  };
}

export function taskStats(tasks: Task[]): TaskStats {
  return {
    n: tasks.length,
    wall: dist(tasks.map((t) => t.wall)),
    cpu: dist(tasks.map((t) => t.cpu)),
    wallOverFrame: tasks.filter((t) => t.wall > FRAME_MS).length,
    cpuOverFrame: tasks.filter((t) => t.cpu > FRAME_MS).length,
    longestCpuAtMs: tasks.reduce((a, t) => (t.cpu > a.cpu ? t : a), { atMs: NaN, cpu: -1 }).atMs,
  };
}
