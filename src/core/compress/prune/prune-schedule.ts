/**
 * The seed's structured-pruning schedule (SEED_PIPELINE.md step 2, points 8–9): iterations of
 * prune → fine-tune → evaluate, each prune removing `spec.ratio` of what is left; with
 * `spec.growBack` > 0, each prune is followed by a grow step ("annealing") that re-adds that share
 * of the removed channels, spread over channel groups with probability proportional to the
 * saliency each group lost (EMA 0.5), then fine-tunes at 10× the learning rate. Stops early when
 * validation top-1 falls below `spec.targetAccuracy` and returns the last network that met it.
 * Channels: a grown channel copies its group's last one (grow-channels.ts). Eigenbasis: every
 * iteration analyses each layer's main node (already factorized layers are pruned again through
 * their core), and a grow step re-adds, per layer, the removed eigen-directions with the largest
 * lost saliency (eigen-grow.ts), drawn over layers with the capacity of what each lost.
 * Resumable: `onIteration` receives the state after every finished iteration; pass it back as
 * `resume` to go on from there. Fine-tuning keeps the network's exact zeros at zero (a sparse
 * checkpoint stays as sparse).
 */
import type { Graph, Weights } from '../../graph/ir';
import { countParams } from '../../graph/params';
import type { FineTuneSettings, PruneSpec } from '../../recipe';
import type { TrainControl } from '../../train/control';
import { evaluateWeights } from '../../train/evaluate-network';
import type { BatchSource } from '../../train/types';
import { makeRng, type Rng } from '../../util/rng';
import { fineTuneKeepingZeros } from '../fine-tune';
import { channelGroups, channelImportance } from '../structure';
import { growEigen, lostSaliency, type EigenReserve } from './eigen-grow';
import { growChannels } from './grow-channels';
import { pruneNetwork } from './prune-network';

export type SchedulePhase = 'analyse' | 'prune' | 'fine-tune' | 'evaluate' | 'grow';

export interface ScheduleProgress {
  iteration: number;
  iterations: number;
  phase: SchedulePhase;
  /** Share of the whole schedule done, 0…1 (it moves within a fine-tune too). */
  fraction: number;
  etaSeconds: number;
  /** Within a fine-tune (the prune's, or the grow step's): optimizer steps done and planned. */
  steps?: { done: number; total: number };
}

export interface IterationRecord {
  iteration: number;
  step: 'prune' | 'grow';
  params: number;
  top1: number;
}

export interface ScheduleState {
  /** Iterations finished (0 = none). */
  iteration: number;
  graph: Graph;
  weights: Weights;
  history: IterationRecord[];
  /** EMA of the saliency each channel group (by its first layer's name) or eigen layer lost. */
  lost: Record<string, number>;
}

export interface ScheduleOptions {
  graph: Graph;
  weights: Weights;
  spec: PruneSpec;
  fineTune?: FineTuneSettings;
  train: BatchSource;
  validation: BatchSource;
  batchSize: number;
  seed: number;
  control?: TrainControl;
  resume?: ScheduleState;
  /** Cap on optimizer steps per fine-tune (tests, quick runs). */
  maxFineTuneSteps?: number;
  onIteration?: (s: ScheduleState) => void | Promise<void>;
  onProgress?: (p: ScheduleProgress) => void;
}

export interface ScheduleResult {
  status: 'completed' | 'stopped' | 'cancelled';
  graph: Graph;
  weights: Weights;
  history: IterationRecord[];
}

const PHASES: SchedulePhase[] = ['prune', 'fine-tune', 'evaluate', 'grow'];

/** Reports `phase` of `iteration`, `steps` of its fine-tune done (the phase's share moves). */
function progress(
  o: ScheduleOptions,
  started: number,
  iteration: number,
  phase: SchedulePhase,
  steps?: { done: number; total: number },
) {
  const iterations = o.spec.iterations ?? 1;
  const done = o.resume?.iteration ?? 0;
  const within = steps && steps.total > 0 ? Math.min(1, steps.done / steps.total) : 0;
  const fraction = (iteration - 1 + (PHASES.indexOf(phase) + within) / PHASES.length) / iterations;
  const elapsed = (performance.now() - started) / 1000;
  const share = fraction - done / iterations;
  const etaSeconds = share > 0 ? (elapsed / share) * (1 - fraction) : Number.NaN;
  o.onProgress?.({
    iteration,
    iterations,
    phase,
    fraction,
    etaSeconds,
    ...(steps ? { steps } : {}),
  });
}

/** Fine-tunes graph+weights (existing zeros stay zero); returns the new weights, or null when cancelled. */
function fineTune(
  o: ScheduleOptions,
  g: Graph,
  w: Weights,
  lrScale: number,
  k: number,
  onStep: (steps: { done: number; total: number }) => void,
) {
  return fineTuneKeepingZeros(g, w, {
    onMetrics: (m) => onStep({ done: m.step, total: m.totalSteps }),
    source: o.train,
    settings: o.fineTune,
    batchSize: o.batchSize,
    lrScale,
    seed: o.seed + k,
    control: o.control,
    maxSteps: o.maxFineTuneSteps,
    label: 'prune schedule: fine-tuning',
  });
}

async function top1(o: ScheduleOptions, g: Graph, w: Weights): Promise<number> {
  return (await evaluateWeights(g, w, o.validation, { batchSize: o.batchSize, signal: o.control }))
    .top1;
}

/** Group key stable across rebuilds: its first layer's name. */
function lostChannelSaliency(
  g: Graph,
  w: Weights,
  keep: Record<string, number[]>,
): Map<string, number> {
  const groups = channelGroups(g).filter((x) => x.prunable);
  const scores = channelImportance(g, w, groups);
  const out = new Map<string, number>();
  for (const grp of groups) {
    const kept = new Set(keep[grp.id] ?? [...Array(grp.width).keys()]);
    const s = scores.get(grp.id)!;
    let lost = 0;
    for (let i = 0; i < grp.width; i++) if (!kept.has(i)) lost += s[i]!;
    if (lost > 0) out.set(grp.layers[0] ?? grp.id, lost);
  }
  return out;
}

/**
 * Multinomial draw of `total` units over keys ∝ weight (seeded); with `capacity`, a key that got
 * its capacity leaves the draw (and the draw stops when none is left).
 */
function spread(
  total: number,
  weights: Map<string, number>,
  rng: Rng,
  capacity?: Map<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  const open = (k: string) => !capacity || (out.get(k) ?? 0) < (capacity.get(k) ?? 0);
  for (let n = 0; n < total; n++) {
    const keys = [...weights.keys()].filter((k) => weights.get(k)! > 0 && open(k));
    const sum = keys.reduce((a, k) => a + weights.get(k)!, 0);
    if (keys.length === 0 || !(sum > 0)) break;
    let u = rng() * sum;
    const k = keys.find((key) => (u -= weights.get(key)!) <= 0) ?? keys[keys.length - 1]!;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

interface StepOut {
  graph: Graph;
  weights: Weights;
  /** Channels, or eigen-directions, the step removed. */
  removed: number;
  lost: Map<string, number>;
  /** Eigenbasis: what each replaced layer lost, for its grow step. */
  reserves: EigenReserve[];
}

async function pruneStep(o: ScheduleOptions, g: Graph, w: Weights, k: number): Promise<StepOut> {
  const r = await pruneNetwork({
    graph: g,
    weights: w,
    spec: o.spec,
    source: o.train,
    batchSize: o.batchSize,
    seed: o.seed + k,
    signal: o.control,
    reserve: (o.spec.growBack ?? 0) > 0,
  });
  const out = { graph: r.graph, weights: r.weights };
  if (r.keep && r.groups) {
    const removed = r.groups.reduce((a, x) => a + x.width - x.kept, 0);
    return { ...out, removed, lost: lostChannelSaliency(g, w, r.keep), reserves: [] };
  }
  const reserves = r.reserves ?? [];
  const removed = reserves.reduce((a, x) => a + x.removed.length, 0);
  const lost = new Map(reserves.map((x) => [x.name, lostSaliency(x)]));
  return { ...out, removed, lost, reserves };
}

function growStep(o: ScheduleOptions, s: StepOut, ema: Record<string, number>, rng: Rng) {
  const total = Math.round((o.spec.growBack ?? 0) * s.removed);
  const weights = new Map(Object.entries(ema));
  if (o.spec.method === 'eigenbasis') {
    const capacity = new Map(s.reserves.map((r) => [r.name, r.removed.length]));
    const counts = spread(total, weights, rng, capacity);
    return growEigen(s.graph, s.weights, s.reserves, Object.fromEntries(counts));
  }
  const byLayer = spread(total, weights, rng);
  const grow: Record<string, number> = {};
  for (const grp of channelGroups(s.graph)) {
    const n = grp.prunable ? byLayer.get(grp.layers[0] ?? grp.id) : undefined;
    if (n) grow[grp.id] = n;
  }
  return growChannels(s.graph, s.weights, grow, rng);
}

export async function pruneSchedule(o: ScheduleOptions): Promise<ScheduleResult> {
  const iterations = o.spec.iterations ?? 1;
  const started = performance.now();
  const state: ScheduleState = o.resume
    ? { ...o.resume, history: [...o.resume.history], lost: { ...o.resume.lost } }
    : { iteration: 0, graph: o.graph, weights: o.weights, history: [], lost: {} };
  const rng = makeRng(o.seed + 7919 * state.iteration);
  const result = (status: ScheduleResult['status']): ScheduleResult => ({
    status,
    graph: state.graph,
    weights: state.weights,
    history: state.history,
  });
  for (let it = state.iteration + 1; it <= iterations; it++) {
    progress(o, started, it, 'prune');
    const step = await pruneStep(o, state.graph, state.weights, it);
    progress(o, started, it, 'fine-tune');
    const tuning = (phase: SchedulePhase) => (s: { done: number; total: number }) =>
      progress(o, started, it, phase, s);
    let w = await fineTune(o, step.graph, step.weights, 1, it, tuning('fine-tune'));
    if (!w) return result('cancelled');
    progress(o, started, it, 'evaluate');
    const records: IterationRecord[] = [];
    let acc = await top1(o, step.graph, w);
    let g = step.graph;
    records.push({ iteration: it, step: 'prune', params: countParams(g), top1: acc });
    for (const [k, v] of step.lost) state.lost[k] = 0.5 * (state.lost[k] ?? 0) + 0.5 * v;
    if ((o.spec.growBack ?? 0) > 0 && step.removed > 0) {
      progress(o, started, it, 'grow');
      const grown = growStep(o, { ...step, weights: w }, state.lost, rng);
      const wg = await fineTune(o, grown.graph, grown.weights, 10, it + 0.5, tuning('grow'));
      if (!wg) return result('cancelled');
      [g, w] = [grown.graph, wg];
      acc = await top1(o, g, w);
      records.push({ iteration: it, step: 'grow', params: countParams(g), top1: acc });
    }
    if (o.spec.targetAccuracy !== undefined && acc < o.spec.targetAccuracy) {
      state.history.push(...records);
      return result('stopped');
    }
    Object.assign(state, { iteration: it, graph: g, weights: w });
    state.history.push(...records);
    await o.onIteration?.({ ...state, history: [...state.history], lost: { ...state.lost } });
  }
  return result('completed');
}
