/**
 * MicroNet Challenge score of a network under a recipe (rules: shared/docs/MICRONET_RULES.md):
 * score = params32/36.5e6 + ops/10.49e9, where params32 = storage bits / 32 and ops = Σ mults·
 * multBits/32 + adds·addBits/32. A pure function over a precomputed ScoreTable: no tensors, no
 * shape inference — one pass over the rows, cheap enough to run on every slider move.
 *
 * Profiles:
 * - 'official' (counting.py): sparse weights store non-zeros + a 1-bit mask (only if s > 0),
 *   biases dense; BN folded as a bias (foldBN, default) or counted as an affine; one quantization
 *   scale per quantized weight tensor and per quantized layer input (quantScaleBits each); a
 *   layer input with a zero point (recipe.activationZeroPoint) stores it as one more such value.
 * - Per-channel exponents (recipe.weightGranularity 'channel', both profiles): every quantized
 *   layer weight and bias (and unfolded BN scale and shift) also stores c_out exponents of
 *   CHANNEL_EXPONENT_BITS each (the .mnlc stores them so); the per-layer scales above are kept
 *   (they then over-count by one value per layer). Requantization (accumulator → next activation: a shift per output element for
 *   power-of-two exponents) is counted for neither granularity, as the reference counter does
 *   not (docs/COUNTING.md).
 * - 'seed' (mhariat/MicroNet Test/main.py): storage = non-zeros·b + a 1-bit mask over every
 *   parameter (BN included); BN unmerged by default; residual adds dropped (the seed counter's
 *   bug); no scale/exponent storage (its ~1e-7 exponent op term is left out).
 * Bits: params at the weight width, mults at max(weight, activation), adds at 32; the freebie
 * counts everything at 16 (adds 32) while no width is below 16 (see resolve.ts).
 * Early exit at rate f: expected = f·(exit path) + (1 − f)·(full path), where the exit head runs
 * for every image (shared/oracles/micronet-counting.json, osi_ai_micronet.b_*). An early-exit
 * blend (recipe.exitBlend > 0: argmax of softmax(main) + w·softmax(exit) for images that do not
 * exit) adds to the full path, per image, for K classes: K exponentials, K normalising and K
 * weighting mults (3K), K − 1 adds for the softmax sum and K for the blend (2K − 1), at 32 bits.
 */
import { BASELINE_OPS, BASELINE_PARAMS, sparseSizeBits } from './op-counts';
import { validateRecipe, type CountingProfile, type Recipe } from '../recipe';
import {
  checkContext,
  layerSparsityOf,
  resolveBits,
  type ResolvedBits,
  type ScoreContext,
} from './resolve';
import type { RowPath, ScoreRow, ScoreTable } from './score-table';

export type { ScoreContext } from './resolve';

export interface LayerScore {
  name: string;
  /** Graph op of the node ('conv2d', 'batchnorm', 'add', …). */
  op: string;
  path: RowPath;
  /** Stored values (weights + biases / BN affine), before sparsity. */
  params: number;
  paramBits: number;
  /** Storage in bits: non-zeros, mask, biases, scales. */
  storageBits: number;
  params32: number;
  /** Raw per-image counts of the images that run this row (incl. its attached activation). */
  mults: number;
  adds: number;
  multBits: number;
  addBits: number;
  sparsity: number;
  /** Expected weighted ops (per image, early-exit weighted). */
  ops: number;
  /** Fraction of the score due to this row. */
  share: number;
}

export interface PathTotals {
  mults: number;
  adds: number;
  ops: number;
}

export interface ScoreResult {
  score: number;
  paramsTerm: number;
  opsTerm: number;
  /** 32-bit-equivalent parameters (storage bits / 32). */
  params32: number;
  storageBits: number;
  /** Expected raw mults / adds and weighted ops per image. */
  mults: number;
  adds: number;
  ops: number;
  freebie: boolean;
  profile: CountingProfile;
  foldBN: boolean;
  /** Number of per-layer quantization scales stored. */
  quantScales: number;
  /** Number of per-channel weight exponents stored (CHANNEL_EXPONENT_BITS each). */
  channelExponents: number;
  exitRate: number | null;
  /** full: every counted row; exit: rows an exiting image runs (null without early exit). */
  paths: { full: PathTotals; exit: PathTotals | null };
  layers: LayerScore[];
}

/** Per-call working arrays, one slot per table row. */
interface Work {
  mults: Float64Array;
  adds: Float64Array;
  storage: Float64Array;
  multBits: Float64Array;
  params: Float64Array;
  paramBits: Float64Array;
  sparsity: Float64Array;
  /** Per-channel exponents stored by the row. */
  exponents: Float64Array;
  /** 1 if the row is counted and reported on its own line. */
  visible: Uint8Array;
}

interface Setup {
  recipe: Recipe;
  ctx: ScoreContext;
  bits: ResolvedBits;
  seed: boolean;
  fold: boolean;
  scaleBits: number;
  /** Bits per stored per-channel exponent; 0 when exponents are per tensor. */
  channelBits: number;
  /** Quantized layer inputs store a zero point too (recipe.activationZeroPoint). */
  zeroPoint: boolean;
  exitOn: boolean;
}

/** Width of one stored per-channel exponent (a signed binary point in [−126, 126]). */
export const CHANNEL_EXPONENT_BITS = 8;

/** Work arrays are reused per table (scoring is synchronous), so a slider move allocates little. */
const workCache = new WeakMap<ScoreTable, Work>();

function workFor(table: ScoreTable): Work {
  let wk = workCache.get(table);
  if (!wk) {
    wk = newWork(table.rows.length);
    workCache.set(table, wk);
  } else {
    for (const a of Object.values(wk) as (Float64Array | Uint8Array)[]) a.fill(0);
  }
  return wk;
}

function newWork(n: number): Work {
  return {
    mults: new Float64Array(n),
    adds: new Float64Array(n),
    storage: new Float64Array(n),
    multBits: new Float64Array(n),
    params: new Float64Array(n),
    paramBits: new Float64Array(n),
    sparsity: new Float64Array(n),
    exponents: new Float64Array(n),
    visible: new Uint8Array(n),
  };
}

function scaleCount(s: Setup, w: number, a: number): number {
  if (s.seed || s.bits.freebie) return 0;
  return (w < 32 ? 1 : 0) + (a < 32 ? (s.zeroPoint ? 2 : 1) : 0);
}

/** Per-channel exponents of a quantized row: c_out (= weights / vl) for the weight, c_out for a bias. */
function channelExponentsOf(s: Setup, row: ScoreRow, w: number, bias: number): number {
  if (s.channelBits === 0 || s.bits.freebie || w >= 32) return 0;
  return row.weights / row.vl + bias;
}

function storageOf(s: Setup, n: number, bias: number, pb: number, sparsity: number): number {
  if (s.seed) return (n * (1 - sparsity) + bias) * pb + (n + bias);
  return sparseSizeBits(n, pb, sparsity) + bias * pb;
}

function scoreLayer(s: Setup, row: ScoreRow, i: number, wk: Work): number {
  const sp = layerSparsityOf(row.name, s.recipe, s.ctx);
  const w = s.bits.weight(row.name);
  const a = s.bits.activation(row.name);
  const bias = row.ownBias > 0 ? row.ownBias : s.fold ? row.foldChannels : 0;
  const vl = row.vl * (1 - sp);
  const n = row.outElems;
  const scales = scaleCount(s, w, a);
  const exps = channelExponentsOf(s, row, w, bias);
  wk.mults[i] = vl * n;
  wk.adds[i] = (vl - 1) * n + (bias > 0 ? n : 0);
  wk.storage[i] =
    storageOf(s, row.weights, bias, w, sp) + scales * s.scaleBits + exps * s.channelBits;
  wk.exponents[i] = exps;
  wk.multBits[i] = Math.max(w, a);
  wk.params[i] = row.weights + bias;
  wk.paramBits[i] = w;
  wk.sparsity[i] = sp;
  return scales;
}

/** Unfolded BN: per-channel affine, C weights + C biases, 1 mult + 1 add per element. */
function scoreAffine(s: Setup, row: ScoreRow, i: number, wk: Work): number {
  const w = s.bits.defaultWeight;
  const a = s.bits.defaultActivation;
  const scales = scaleCount(s, w, a);
  const exps = channelExponentsOf(s, row, w, row.weights);
  wk.mults[i] = row.outElems;
  wk.adds[i] = row.outElems;
  wk.storage[i] =
    storageOf(s, row.weights, row.weights, w, 0) + scales * s.scaleBits + exps * s.channelBits;
  wk.exponents[i] = exps;
  wk.multBits[i] = Math.max(w, a);
  wk.params[i] = 2 * row.weights;
  wk.paramBits[i] = w;
  return scales;
}

function isFolded(s: Setup, row: ScoreRow): boolean {
  return row.kind === 'bn' && s.fold && row.foldInto >= 0;
}

/** Row that books an activation: its producer (a folded BN's layer), or −1 if standalone. */
function ownerOf(s: Setup, rows: readonly ScoreRow[], row: ScoreRow): number {
  const p = row.attachTo;
  if (p < 0) return -1;
  const prod = rows[p]!;
  return isFolded(s, prod) ? prod.foldInto : p;
}

function counted(s: Setup, row: ScoreRow): boolean {
  return s.exitOn || row.path !== 'exit-head';
}

/** Fills the work arrays; returns the number of quantization scales. */
function fillRows(s: Setup, rows: readonly ScoreRow[], wk: Work): number {
  let scales = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!counted(s, row)) continue;
    if (row.kind === 'layer') scales += scoreLayer(s, row, i, wk);
    else if (row.kind === 'bn') {
      if (isFolded(s, row)) continue;
      scales += scoreAffine(s, row, i, wk);
    } else {
      const owner = row.kind === 'act' ? ownerOf(s, rows, row) : -1;
      const m = s.seed && row.kind === 'free' ? row.seedMults : row.mults;
      const a = s.seed && row.kind === 'free' ? row.seedAdds : row.adds;
      if (owner >= 0) {
        wk.mults[owner] = wk.mults[owner]! + m;
        wk.adds[owner] = wk.adds[owner]! + a;
        continue;
      }
      wk.mults[i] = m;
      wk.adds[i] = a;
      wk.multBits[i] = s.bits.defaultActivation;
    }
    wk.visible[i] = 1;
  }
  return scales;
}

function setupOf(table: ScoreTable, recipeIn: Recipe, ctx: ScoreContext): Setup {
  const recipe = validateRecipe(recipeIn);
  checkContext(table, recipe, ctx);
  const seed = recipe.countingProfile === 'seed';
  return {
    recipe,
    ctx,
    bits: resolveBits(recipe),
    seed,
    fold: recipe.foldBN ?? !seed,
    scaleBits: table.options.quantScaleBits,
    channelBits: recipe.weightGranularity === 'channel' ? CHANNEL_EXPONENT_BITS : 0,
    zeroPoint: recipe.activationZeroPoint === true,
    exitOn: ctx.exitRate !== undefined,
  };
}

const ADD_BITS = 32;

/** Scores `recipe` on a table from buildScoreTable(); see the file header for the rules. */
export function scoreNetwork(
  table: ScoreTable,
  recipe: Recipe = {},
  ctx: ScoreContext = {},
): ScoreResult {
  const s = setupOf(table, recipe, ctx);
  const rows = table.rows;
  const wk = workFor(table);
  const quantScales = fillRows(s, rows, wk);
  const full: PathTotals = { mults: 0, adds: 0, ops: 0 };
  const exit: PathTotals = { mults: 0, adds: 0, ops: 0 };
  let storageBits = 0;
  let channelExponents = 0;
  for (let i = 0; i < rows.length; i++) {
    if (wk.visible[i] === 0) continue;
    channelExponents += wk.exponents[i]!;
    const m = wk.mults[i]!;
    const a = wk.adds[i]!;
    const ops = (m * wk.multBits[i]!) / 32 + (a * ADD_BITS) / 32;
    storageBits += wk.storage[i]!;
    full.mults += m;
    full.adds += a;
    full.ops += ops;
    if (s.exitOn && rows[i]!.path !== 'main') {
      exit.mults += m;
      exit.adds += a;
      exit.ops += ops;
    }
  }
  if (s.exitOn && (s.recipe.exitBlend ?? 0) > 0) addBlend(full, table.outputWidth);
  const f = ctx.exitRate ?? 0;
  const expect = (k: keyof PathTotals) => (s.exitOn ? f * exit[k] + (1 - f) * full[k] : full[k]);
  const params32 = storageBits / 32;
  const ops = expect('ops');
  const paramsTerm = params32 / BASELINE_PARAMS;
  const opsTerm = ops / BASELINE_OPS;
  const score = paramsTerm + opsTerm;
  return {
    score,
    paramsTerm,
    opsTerm,
    params32,
    storageBits,
    mults: expect('mults'),
    adds: expect('adds'),
    ops,
    freebie: s.bits.freebie,
    profile: s.seed ? 'seed' : 'official',
    foldBN: s.fold,
    quantScales,
    channelExponents,
    exitRate: s.exitOn ? f : null,
    paths: { full, exit: s.exitOn ? exit : null },
    layers: ctx.detail === false ? [] : layerRows(rows, wk, s.exitOn ? f : 0, score),
  };
}

/** The early-exit blend's cost per non-exiting image (file header), added to the full path. */
function addBlend(full: PathTotals, classes: number): void {
  const mults = 3 * classes;
  const adds = 2 * classes - 1;
  full.mults += mults;
  full.adds += adds;
  full.ops += mults + adds; // 32-bit mults and adds: one op each
}

function layerRows(rows: readonly ScoreRow[], wk: Work, f: number, score: number): LayerScore[] {
  const out: LayerScore[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (wk.visible[i] === 0) continue;
    const row = rows[i]!;
    const m = wk.mults[i]!;
    const a = wk.adds[i]!;
    const weight = row.path === 'main' ? 1 - f : 1;
    const ops = weight * ((m * wk.multBits[i]!) / 32 + (a * ADD_BITS) / 32);
    const params32 = wk.storage[i]! / 32;
    out.push({
      name: row.name,
      op: row.op,
      path: row.path,
      params: wk.params[i]!,
      paramBits: wk.paramBits[i]!,
      storageBits: wk.storage[i]!,
      params32,
      mults: m,
      adds: a,
      multBits: wk.multBits[i]!,
      addBits: ADD_BITS,
      sparsity: wk.sparsity[i]!,
      ops,
      share: score > 0 ? (params32 / BASELINE_PARAMS + ops / BASELINE_OPS) / score : 0,
    });
  }
  return out;
}
