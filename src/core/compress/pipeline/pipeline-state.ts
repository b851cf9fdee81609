/**
 * A recipe run's checkpoint (run-recipe.ts): where the gradual prune → fine-tune schedule stands
 * (steps and epochs done), the student's weights (BN statistics included), the masks in force,
 * the optimizer's momentum, the QAT activation quantizers of the step in progress, plus what the
 * run is of — the recipe, a fingerprint of the uncompressed network, the seed and the training
 * set's size — so that a resumed run refuses to continue someone else's. The shuffles,
 * augmentation and schedule of train() are functions of (seed, step, epoch), so these counters
 * are the RNG position: a resumed run computes what a straight run computes.
 *
 * Bytes: a safetensors file (io/safetensors.ts) — tensors `weights/<param>` (F32),
 * `masks/<layer>` (U8, 1 = kept), `momentum/<param>` (F32) — whose metadata holds
 * { format: "micronet-lab-pipeline", version: "1", state: <JSON of the rest> }.
 */
import type { Graph, Weights } from '../../graph/ir';
import { graphToJSON } from '../../graph/serialize';
import { readSafetensors, writeSafetensors, type SafeTensor } from '../../io/safetensors';
import { validateRecipe, type Recipe } from '../../recipe';
import type { SavedTensor } from '../fine-tune';
import type { ActivationLevels } from '../quant/quantized-model';
import { stableJson } from '../../util/stable-json';

export const PIPELINE_STATE_FORMAT = 'micronet-lab-pipeline';

export interface PipelineState {
  /** The recipe the run follows (validated). */
  recipe: Recipe;
  /** modelFingerprint() of the uncompressed network the run started from. */
  modelKey: string;
  seed: number;
  /** Examples in the training source. */
  trainSize: number;
  /** Prune steps whose fine-tuning finished. */
  stepsDone: number;
  /** Epochs of step `stepsDone`'s fine-tuning done (0: the step has not started). */
  epochsDone: number;
  /** The student network now (graph of the uncompressed network). */
  weights: Weights;
  /** Masks in force (layer → 1 = kept); needed when epochsDone > 0. */
  masks: Map<string, Uint8Array> | null;
  /** Momentum buffers of the step in progress (empty at a step's end). */
  momentum: SavedTensor[];
  /** QAT: the activation quantizers the step in progress trains with. */
  activationQuant: Record<string, ActivationLevels> | null;
  /** Wall time of the run so far, over every session. */
  elapsedSeconds: number;
}

export class PipelineStateError extends Error {
  override name = 'PipelineStateError';
}

/** 64-bit FNV-1a style hash (two 32-bit lanes) over words; hex. */
class Hash {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x9e3779b9;

  word(w: number): void {
    this.a = Math.imul(this.a ^ w, 0x01000193) >>> 0;
    this.b = Math.imul(this.b ^ (w + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  }

  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  hex(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0');
  }
}

/** Fingerprint of a network: its graph description and every weight's bits. */
export function modelFingerprint(graph: Graph, weights: Weights): string {
  const h = new Hash();
  h.text(graphToJSON(graph));
  for (const name of [...weights.keys()].sort()) {
    const t = weights.get(name)!;
    h.text(name);
    h.text(t.shape.join('x'));
    const words = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    for (let i = 0; i < words.length; i++) h.word(words[i]!);
  }
  return h.hex();
}

/** What a checkpoint must match to be continued (what the run is given now). */
export interface RunIdentity {
  recipe: Recipe;
  modelKey: string;
  seed: number;
  trainSize: number;
}

/**
 * Recipe fields that only the run's end reads — the early-exit threshold of the final evaluation
 * and the counting rules of the score — and no training step: a checkpoint may be continued (or
 * a finished run finished again) with other values of these.
 */
export const FINISH_ONLY_FIELDS = [
  'exitThreshold',
  'exitBlend',
  'countingProfile',
  'freebie',
] as const;

function trainingPart(r: Recipe): Recipe {
  const out: Record<string, unknown> = { ...r };
  for (const k of FINISH_ONLY_FIELDS) delete out[k];
  return out as Recipe;
}

/**
 * Throws a PipelineStateError naming what differs between the checkpoint and this run (the
 * recipe compared without its FINISH_ONLY_FIELDS).
 */
export function checkSameRun(state: PipelineState, now: RunIdentity): void {
  const a = stableJson(trainingPart(state.recipe));
  const b = stableJson(trainingPart(now.recipe));
  if (a !== b) {
    throw new PipelineStateError(
      `the checkpoint was made with another recipe: checkpoint ${a}, given ${b}`,
    );
  }
  if (state.modelKey !== now.modelKey) {
    throw new PipelineStateError(
      `the checkpoint was made from another model (fingerprint ${state.modelKey}, given ${now.modelKey})`,
    );
  }
  if (state.seed !== now.seed)
    throw new PipelineStateError(`the checkpoint has seed ${state.seed}, given ${now.seed}`);
  if (state.trainSize !== now.trainSize) {
    throw new PipelineStateError(
      `the checkpoint was trained on ${state.trainSize} examples, given ${now.trainSize}`,
    );
  }
}

interface StateMeta {
  recipe: Recipe;
  modelKey: string;
  seed: number;
  trainSize: number;
  stepsDone: number;
  epochsDone: number;
  hasMasks: boolean;
  activationQuant: Record<string, ActivationLevels> | null;
  elapsedSeconds: number;
}

export function encodePipelineState(s: PipelineState): Uint8Array {
  const tensors = new Map<string, SafeTensor>();
  for (const [name, t] of s.weights)
    tensors.set(`weights/${name}`, { dtype: 'F32', shape: [...t.shape], data: t.data });
  for (const [layer, m] of s.masks ?? [])
    tensors.set(`masks/${layer}`, { dtype: 'U8', shape: [m.length], data: m });
  for (const m of s.momentum)
    tensors.set(`momentum/${m.name}`, { dtype: 'F32', shape: [...m.shape], data: m.data });
  const meta: StateMeta = {
    recipe: s.recipe,
    modelKey: s.modelKey,
    seed: s.seed,
    trainSize: s.trainSize,
    stepsDone: s.stepsDone,
    epochsDone: s.epochsDone,
    hasMasks: s.masks !== null,
    activationQuant: s.activationQuant,
    elapsedSeconds: s.elapsedSeconds,
  };
  const metadata = { format: PIPELINE_STATE_FORMAT, version: '1', state: JSON.stringify(meta) };
  return writeSafetensors(tensors, metadata);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function checkMeta(v: unknown, file: string): StateMeta {
  const m = v as Partial<StateMeta> | null;
  const bad = (what: string, got: unknown) =>
    new PipelineStateError(`${file}: state.${what} is invalid, got ${JSON.stringify(got)}`);
  if (typeof m !== 'object' || m === null) throw bad('(root)', m);
  if (typeof m.modelKey !== 'string') throw bad('modelKey', m.modelKey);
  for (const k of ['seed', 'trainSize', 'stepsDone', 'epochsDone'] as const)
    if (!isCount(m[k])) throw bad(k, m[k]);
  if (typeof m.elapsedSeconds !== 'number' || !(m.elapsedSeconds >= 0))
    throw bad('elapsedSeconds', m.elapsedSeconds);
  if (typeof m.hasMasks !== 'boolean') throw bad('hasMasks', m.hasMasks);
  if (m.activationQuant !== null && typeof m.activationQuant !== 'object')
    throw bad('activationQuant', m.activationQuant);
  return { ...(m as StateMeta), recipe: validateRecipe(m.recipe) };
}

export function decodePipelineState(bytes: Uint8Array, file = 'checkpoint'): PipelineState {
  const f = readSafetensors(bytes);
  const meta = f.metadata;
  if (meta?.format !== PIPELINE_STATE_FORMAT || meta.state === undefined)
    throw new PipelineStateError(`${file}: not a recipe-run checkpoint (format ${meta?.format})`);
  if (meta.version !== '1')
    throw new PipelineStateError(`${file}: unsupported checkpoint version "${meta.version}"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(meta.state);
  } catch {
    throw new PipelineStateError(`${file}: metadata "state" is not valid JSON`);
  }
  const m = checkMeta(parsed, file);
  const weights: Weights = new Map();
  const masks = new Map<string, Uint8Array>();
  const momentum: SavedTensor[] = [];
  for (const [key, t] of f.tensors) {
    const slash = key.indexOf('/');
    const [kind, name] = [key.slice(0, slash), key.slice(slash + 1)];
    if (kind === 'masks' && t.data instanceof Uint8Array) masks.set(name, t.data);
    else if (kind !== 'masks' && t.data instanceof Float32Array) {
      if (kind === 'weights') weights.set(name, { shape: [...t.shape], data: t.data });
      else if (kind === 'momentum') momentum.push({ name, shape: [...t.shape], data: t.data });
      else throw new PipelineStateError(`${file}: unexpected tensor '${key}'`);
    } else throw new PipelineStateError(`${file}: tensor '${key}' has dtype ${t.dtype}`);
  }
  const { hasMasks, ...rest } = m;
  return { ...rest, weights, masks: hasMasks ? masks : null, momentum };
}
