/**
 * EigenDamage's rotate-and-truncate (Wang et al. 2019, arXiv 1905.05934; SEED_PIPELINE.md step 2)
 * on a layer chain (layer-chain.ts), and its inverse step, the seed's grow-back ("annealing").
 * The chain's main (k×k) node has K-FAC eigenbases Q_A (its input width p) and Q_G (output q);
 * multiplied through the chain's bases they give the layer's input directions
 * inDirs = basisInᵀ·Q_A (c_in × p) and output directions outDirs = basisOut·Q_G (c_out × q), and
 *   W_t = outDirs · W′_t · inDirsᵀ,   W′_t = Q_Gᵀ core_t Q_A   (exact, Q orthogonal).
 * Keeping directions keepA / keepG gives the Tucker chain
 *   basisIn = inDirs[:, keepA]ᵀ,  core_t = W′_t[keepG, keepA],  basisOut = outDirs[:, keepG],
 * which layer-chain's collapseChain turns into any cheaper exact form. On an unfactorized layer
 * this is the seed's first prune; on a factorized one, its later prunes (the seed analyses the
 * core and multiplies the old bases into the new rotations).
 * Grow-back re-adds removed directions addA / addG to a (possibly fine-tuned) chain: every
 * rotated entry W′[g, a] with g or a new is added as outDirs[:, g]·W′[g, a]·inDirs[:, a]ᵀ in the
 * chain's own coordinates, so without fine-tuning in between the grown chain is exactly the
 * rotate-and-truncate at keepA ∪ addA, keepG ∪ addG.
 */
import { checkOrthogonal, identity, matMul, takeColumns, transpose } from './dense-matrix';
import type { LayerChain } from './layer-chain';

/** A layer seen in its main node's eigenbasis. */
export interface EigenView {
  name: string;
  /** Directions on each side: the main node's input (p) and output (q) widths. */
  nA: number;
  nG: number;
  /** c_in × nA; column j = input direction j. */
  inDirs: Float64Array;
  /** c_out × nG; column j = output direction j. */
  outDirs: Float64Array;
  /** W′ [taps][nG][nA]. */
  rotated: Float64Array;
}

function fail(msg: string): never {
  throw new Error(`eigen chain: ${msg}`);
}

/** The chain in the eigenbases qA (p×p) / qG (q×q) of its main node, row-major, column j = vector j. */
export function eigenView(c: LayerChain, qA: Float64Array, qG: Float64Array): EigenView {
  checkOrthogonal(qA, c.p, `qA of '${c.name}'`);
  checkOrthogonal(qG, c.q, `qG of '${c.name}'`);
  const { p, q, taps } = c;
  const qGt = transpose(qG, q, q);
  const rotated = new Float64Array(taps * q * p);
  for (let t = 0; t < taps; t++) {
    const core = c.core.subarray(t * q * p, (t + 1) * q * p);
    rotated.set(matMul(qGt, matMul(core, qA, q, p, p), q, q, p), t * q * p);
  }
  return {
    name: c.name,
    nA: p,
    nG: q,
    inDirs: c.basisIn ? matMul(transpose(c.basisIn, p, c.cIn), qA, c.cIn, p, p) : qA.slice(),
    outDirs: c.basisOut ? matMul(c.basisOut, qG, c.cOut, q, q) : qG.slice(),
    rotated,
  };
}

function checkIndices(idx: readonly number[], n: number, what: string, allowEmpty = false): void {
  const bad = idx.find((v) => !Number.isInteger(v) || v < 0 || v >= n);
  if (bad !== undefined) fail(`${what} index ${bad} not in 0…${n - 1}`);
  if (!allowEmpty && idx.length === 0) fail(`${what} is empty`);
  if (new Set(idx).size !== idx.length) fail(`${what} repeats an index`);
}

/** W′_t[rows, cols] for every tap: [taps][rows][cols]. */
function rotatedBlock(
  v: EigenView,
  taps: number,
  rows: readonly number[],
  cols: readonly number[],
) {
  const out = new Float64Array(taps * rows.length * cols.length);
  let k = 0;
  for (let t = 0; t < taps; t++)
    for (const g of rows) for (const a of cols) out[k++] = v.rotated[(t * v.nG + g) * v.nA + a]!;
  return out;
}

/** The Tucker chain keeping input directions keepA and output directions keepG (in that order). */
export function truncatedChain(
  c: LayerChain,
  v: EigenView,
  keepA: readonly number[],
  keepG: readonly number[],
): LayerChain {
  checkIndices(keepA, v.nA, 'keepA');
  checkIndices(keepG, v.nG, 'keepG');
  const rA = keepA.length;
  const rG = keepG.length;
  return {
    ...c,
    p: rA,
    q: rG,
    basisIn: transpose(takeColumns(v.inDirs, c.cIn, v.nA, keepA), c.cIn, rA),
    core: rotatedBlock(v, c.taps, keepG, keepA),
    basisOut: takeColumns(v.outDirs, c.cOut, v.nG, keepG),
  };
}

/** Directions of the chain's sides: which eigen-directions its inner coordinates hold. */
export interface HeldDirections {
  /** Input directions the chain holds (its basisIn rows, in order, when it has one). */
  keepA: readonly number[];
  keepG: readonly number[];
}

/** Directions `dirs` in a side's coordinates (columns): unit vectors where the side has a basis
 * (its rows are the directions, in order), else the direction vectors. n × dirs.length. */
function embedding(
  basis: boolean,
  dirs: readonly number[],
  vecs: Float64Array,
  width: number,
  nDirs: number,
) {
  return basis ? identity(dirs.length) : takeColumns(vecs, width, nDirs, dirs);
}

/**
 * `c` with input directions addA and output directions addG re-added (see the file header).
 * `held` names the directions c already holds; where c has a basis on a side, its rows / columns
 * are those directions in that order.
 */
export function growChain(
  c: LayerChain,
  v: EigenView,
  held: HeldDirections,
  addA: readonly number[],
  addG: readonly number[],
): LayerChain {
  if (v.inDirs.length !== c.cIn * v.nA || v.outDirs.length !== c.cOut * v.nG)
    fail(`the eigen view does not fit '${c.name}' (${c.cIn} → ${c.cOut})`);
  const SA = [...held.keepA, ...addA];
  const SG = [...held.keepG, ...addG];
  checkIndices(SA, v.nA, 'held and added input directions');
  checkIndices(SG, v.nG, 'held and added output directions');
  if (c.basisIn && held.keepA.length !== c.p)
    fail(`'${c.name}' holds ${c.p} input directions, ${held.keepA.length} named`);
  if (c.basisOut && held.keepG.length !== c.q)
    fail(`'${c.name}' holds ${c.q} output directions, ${held.keepG.length} named`);
  const p2 = c.basisIn ? SA.length : c.cIn;
  const q2 = c.basisOut ? SG.length : c.cOut;
  const EA = embedding(!!c.basisIn, SA, v.inDirs, c.cIn, v.nA); // p2 × |SA|
  const EG = embedding(!!c.basisOut, SG, v.outDirs, c.cOut, v.nG); // q2 × |SG|
  const EAt = transpose(EA, p2, SA.length);
  const [kA, kG] = [held.keepA.length, held.keepG.length];
  const M = rotatedBlock(v, c.taps, SG, SA);
  const core = new Float64Array(c.taps * q2 * p2);
  const blk = SG.length * SA.length;
  for (let t = 0; t < c.taps; t++) {
    const m = M.subarray(t * blk, (t + 1) * blk);
    for (let g = 0; g < kG; g++) m.fill(0, g * SA.length, g * SA.length + kA); // held × held: in c
    const delta = matMul(matMul(EG, m, q2, SG.length, SA.length), EAt, q2, SA.length, p2);
    for (let o = 0; o < q2; o++)
      for (let i = 0; i < p2; i++) {
        const old = o < c.q && i < c.p ? c.core[(t * c.q + o) * c.p + i]! : 0;
        core[(t * q2 + o) * p2 + i] = old + delta[o * p2 + i]!;
      }
  }
  const basisIn = c.basisIn && new Float64Array(p2 * c.cIn);
  if (basisIn) {
    basisIn.set(c.basisIn!);
    const add = transpose(takeColumns(v.inDirs, c.cIn, v.nA, addA), c.cIn, addA.length);
    basisIn.set(add, c.p * c.cIn);
  }
  const basisOut = c.basisOut && new Float64Array(c.cOut * q2);
  if (basisOut) {
    const add = takeColumns(v.outDirs, c.cOut, v.nG, addG);
    for (let o = 0; o < c.cOut; o++) {
      basisOut.set(c.basisOut!.subarray(o * c.q, (o + 1) * c.q), o * q2);
      basisOut.set(add.subarray(o * addG.length, (o + 1) * addG.length), o * q2 + c.q);
    }
  }
  return { ...c, p: p2, q: q2, core, basisIn, basisOut };
}
