/**
 * Greedy descent over per-layer (width, sparsity) choices — the marginal-analysis heuristic for
 * a multiple-choice knapsack: start every layer at the widest width and no extra sparsity, then
 * repeatedly take the single move (one layer to any narrower width, or any higher sparsity)
 * with the largest score reduction per predicted loss increase, until the stop rule says so.
 * Looking at every narrower choice, not only the next one, steps over non-convex bumps of a
 * layer's curve (e.g. 3 bits barely cheaper than 4 but 2 much cheaper). Moves that lower the
 * score without raising the predicted loss go first.
 */

export interface GreedyProblem {
  /** cost[l][bi][si], bits descending (index 0 = widest), sparsities ascending (0 = none). */
  cost: number[][][];
  /** Predicted Δloss and Δtop-1 of layer l at (bi, si). */
  loss: (l: number, bi: number, si: number) => number;
  top1: (l: number, bi: number, si: number) => number;
  /** Whether (bi, si) is predictable for layer l. */
  allowed: (l: number, bi: number, si: number) => boolean;
  constant: number;
  /** Sparsity index every layer starts at; sparsity moves are off when `fixedSparsity`. */
  startSparsity: number;
  fixedSparsity: boolean;
}

export interface GreedyState {
  bi: number[];
  si: number[];
}

interface Move {
  l: number;
  bi: number;
  si: number;
  dCost: number;
  dLoss: number;
  dTop1: number;
}

const EPS = 1e-12;

export function stateCost(p: GreedyProblem, s: GreedyState): number {
  return s.bi.reduce((sum, b, l) => sum + p.cost[l]![b]![s.si[l]!]!, p.constant);
}

export function stateSums(p: GreedyProblem, s: GreedyState): { loss: number; top1: number } {
  let [loss, top1] = [0, 0];
  s.bi.forEach((b, l) => {
    loss += p.loss(l, b, s.si[l]!);
    top1 += p.top1(l, b, s.si[l]!);
  });
  return { loss, top1 };
}

function movesOf(p: GreedyProblem, s: GreedyState, l: number): Move[] {
  const [b0, s0] = [s.bi[l]!, s.si[l]!];
  const nb = p.cost[l]!.length;
  const ns = p.cost[l]![0]!.length;
  const targets: [number, number][] = [];
  for (let b = b0 + 1; b < nb; b++) targets.push([b, s0]);
  if (!p.fixedSparsity) for (let x = s0 + 1; x < ns; x++) targets.push([b0, x]);
  const c0 = p.cost[l]![b0]![s0]!;
  return targets
    .filter(([b, x]) => p.allowed(l, b, x))
    .map(([b, x]) => ({
      l,
      bi: b,
      si: x,
      dCost: p.cost[l]![b]![x]! - c0,
      dLoss: p.loss(l, b, x) - p.loss(l, b0, s0),
      dTop1: p.top1(l, b, x) - p.top1(l, b0, s0),
    }))
    .filter((m) => m.dCost < 0);
}

/** Score reduction per loss increase; free moves rank by their reduction alone. */
function gain(m: Move): number {
  return m.dLoss <= EPS ? -m.dCost / EPS : -m.dCost / m.dLoss;
}

/**
 * The best move from `s` (or null) among those `ok` accepts; applies it to `s`. The running
 * top-1 change `top1` is passed so floor checks are O(1).
 */
export function bestMove(
  p: GreedyProblem,
  s: GreedyState,
  ok: (m: { dCost: number; dLoss: number; dTop1: number }) => boolean,
): Move | null {
  let best: Move | null = null;
  for (let l = 0; l < s.bi.length; l++) {
    for (const m of movesOf(p, s, l)) if (ok(m) && (!best || gain(m) > gain(best))) best = m;
  }
  if (best) {
    s.bi[best.l] = best.bi;
    s.si[best.l] = best.si;
  }
  return best;
}

export function startState(p: GreedyProblem): GreedyState {
  return { bi: p.cost.map(() => 0), si: p.cost.map(() => p.startSparsity) };
}
