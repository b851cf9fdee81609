/**
 * A planner's proposal as the Score panel edits it before "Apply": the planner's recipe and one
 * row per layer (weight bits, extra sparsity) that the user may change. The recipe applied is the
 * planner's own, with only the edited rows written over it (their layerBits weight width and
 * layerSparsity target), so an unedited proposal applies exactly what was planned and scored.
 * A row's sparsity is EXTRA: the share e of the layer's non-zeros (under the base recipe, zero
 * fraction z) pruned on top; the recipe holds the final target z + e·(1 − z), as the planner
 * writes it (core/compress/sensitivity sparsityTarget).
 */
import { canonicalRecipe, type LayerBits, type Recipe } from '../core/recipe/index';
import type { PlanResponse } from '../protocol/sensitivity';
import { BIT_CHOICES, roundSparsity, SPARSITY_MAX } from './recipe-edit';

export interface ProposalRow {
  layer: string;
  weightBits: number;
  sparsity: number;
  /** The planner's predicted loss increase for its own settings of this layer. */
  deltaLoss: number;
  /** What the planner chose (the row is edited when it differs). */
  planned: { weightBits: number; sparsity: number };
}

export interface Proposal {
  plan: PlanResponse;
  rows: ProposalRow[];
  /** The target the plan was asked for. */
  targetScore: number | null;
  accuracyFloor: number | null;
  /** ScoreInputs.networkId of the network planned for. */
  networkId: number | null;
}

export interface ProposalEdit {
  weightBits?: number;
  sparsity?: number;
}

export function proposalFromPlan(
  plan: PlanResponse,
  target: { targetScore: number | null; accuracyFloor: number | null; networkId: number | null },
): Proposal {
  const rows = plan.layers.map((l) => ({
    layer: l.layer,
    weightBits: l.weightBits,
    sparsity: l.sparsity,
    deltaLoss: l.deltaLoss,
    planned: { weightBits: l.weightBits, sparsity: l.sparsity },
  }));
  return { plan, rows, ...target };
}

export function isEdited(r: ProposalRow): boolean {
  return r.weightBits !== r.planned.weightBits || r.sparsity !== r.planned.sparsity;
}

/** One row changed; throws an Error naming the layer and the bad value. */
export function editProposal(p: Proposal, layer: string, e: ProposalEdit): Proposal {
  const i = p.rows.findIndex((r) => r.layer === layer);
  const row = p.rows[i];
  if (!row) throw new Error(`The proposal has no layer '${layer}'`);
  const next: ProposalRow = { ...row };
  if (e.weightBits !== undefined) {
    if (!BIT_CHOICES.includes(e.weightBits))
      throw new Error(
        `${layer}: weight bits must be a whole number in 2–16 or 32 (off), got ${e.weightBits}`,
      );
    next.weightBits = e.weightBits;
  }
  if (e.sparsity !== undefined) {
    if (!(e.sparsity >= 0 && e.sparsity <= SPARSITY_MAX))
      throw new Error(
        `${layer}: extra sparsity must be between 0 and ${SPARSITY_MAX * 100} %, got ${e.sparsity * 100} %`,
      );
    next.sparsity = roundSparsity(e.sparsity);
  }
  const rows = p.rows.slice();
  rows[i] = next;
  return { ...p, rows };
}

/** Final zero fraction of a layer at zero fraction `z` with an extra share `extra` pruned. */
export function sparsityTarget(z: number, extra: number): number {
  return z + extra * (1 - z);
}

/** The planner's recipe with every edited row written over it (see the header). */
export function proposalRecipe(p: Proposal): Recipe {
  const r = p.plan.recipe;
  const layerBits: Record<string, LayerBits> = { ...r.layerBits };
  const layerSparsity: Record<string, number> = { ...r.layerSparsity };
  for (const row of p.rows) {
    if (row.weightBits !== row.planned.weightBits)
      layerBits[row.layer] = { ...layerBits[row.layer], weight: row.weightBits };
    if (row.sparsity !== row.planned.sparsity) {
      const z = p.plan.baseSparsity[row.layer];
      if (z === undefined) throw new Error(`No base sparsity for '${row.layer}' in the plan`);
      layerSparsity[row.layer] = sparsityTarget(z, row.sparsity);
    }
  }
  return canonicalRecipe({ ...r, layerBits, layerSparsity });
}

/** "conv1 8 → 6 bits, fc 0 % → 50 %": the user's changes, for the notice after Apply. */
export function editSummary(p: Proposal): string {
  const parts: string[] = [];
  for (const r of p.rows) {
    if (r.weightBits !== r.planned.weightBits)
      parts.push(`${r.layer} ${r.planned.weightBits} → ${r.weightBits} bits`);
    if (r.sparsity !== r.planned.sparsity)
      parts.push(`${r.layer} extra sparsity ${pct(r.planned.sparsity)} → ${pct(r.sparsity)}`);
  }
  return parts.join(', ');
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}
