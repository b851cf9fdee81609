/**
 * Plan slice (Score panel, "Find a recipe"): a target score and / or an accuracy floor → the
 * worker's planner (over the last sensitivity report) → a proposal the user edits row by row
 * (recipe-proposal.ts). Nothing reaches the recipe before "Apply"; then the proposal becomes the
 * current recipe through the score slice (URL, live score, slice measurement as for any edit).
 */
import type { StateCreator } from 'zustand';
import { validateRecipe } from '../core/recipe/index';
import { errorMessage, getLab } from '../client/lab-client';
import type { PlanRequest } from '../protocol/sensitivity';
import type { LabState } from './lab-store';
import { sensitivityStale } from './sensitivity-slice';
import {
  editProposal,
  editSummary,
  proposalFromPlan,
  proposalRecipe,
  type Proposal,
  type ProposalEdit,
} from './recipe-proposal';

/** What the planner aims for: a score to stay under, or an accuracy to stay above. */
export type PlanGoal = 'score' | 'accuracy';

export interface PlanSettings {
  goal: PlanGoal;
  /** MicroNet score to stay under (null: not typed yet). */
  targetScore: number | null;
  /** Lowest predicted top-1 in percent, as typed (null: not typed yet). */
  accuracyFloorPercent: number | null;
}

export interface PlanValues {
  planSettings: PlanSettings;
  proposal: Proposal | null;
  planning: boolean;
  planError: string | null;
  planNotice: string | null;
}

export interface PlanActions {
  setPlanSettings: (patch: Partial<PlanSettings>) => void;
  findRecipe: () => Promise<void>;
  /** Changes one row of the proposal (errors name the layer and value; nothing is applied). */
  editProposalRow: (layer: string, edit: ProposalEdit) => void;
  discardProposal: () => void;
  /** Makes the (edited) proposal the current recipe. */
  applyProposal: () => void;
}

export type PlanSlice = PlanValues & PlanActions;

export const PLAN_DEFAULT: PlanValues = {
  planSettings: { goal: 'score', targetScore: null, accuracyFloorPercent: null },
  proposal: null,
  planning: false,
  planError: null,
  planNotice: null,
};

/** Why these settings cannot be planned (null: they can). */
export function planSettingsError(p: PlanSettings): string | null {
  if (p.goal === 'score') {
    const t = p.targetScore;
    if (t === null) return 'Type the target score.';
    if (!(Number.isFinite(t) && t > 0)) return `The target score must be a number > 0 (got ${t}).`;
    return null;
  }
  const f = p.accuracyFloorPercent;
  if (f === null) return 'Type the accuracy floor.';
  if (!(f > 0 && f <= 100))
    return `The accuracy floor must be a percentage in (0, 100] (got ${f}).`;
  return null;
}

/** Why "Find a recipe" cannot run now (null: it can). */
export function planBlocker(s: LabState): string | null {
  if (!s.sensitivity) return 'Measure the sensitivity first: the planner works from it.';
  if (sensitivityStale(s))
    return 'The sensitivity belongs to an earlier network: measure it again first.';
  if (s.jobs.sensitivity) return 'Wait for the sensitivity measurement to finish.';
  return null;
}

/** Why the proposal cannot be applied now (null: it can). */
export function applyBlocker(s: LabState): string | null {
  const p = s.proposal;
  if (!p) return 'No proposal.';
  if (p.networkId !== (s.scoreInputs?.networkId ?? null))
    return 'The proposal was planned for an earlier network: find a recipe again.';
  return null;
}

export const createPlanSlice: StateCreator<LabState, [], [], PlanSlice> = (set, get) => {
  let request = 0;
  return {
    ...PLAN_DEFAULT,
    setPlanSettings: (patch) =>
      set((s) => ({ planSettings: { ...s.planSettings, ...patch }, planError: null })),
    findRecipe: async () => {
      const s = get();
      const invalid = planBlocker(s) ?? planSettingsError(s.planSettings);
      if (invalid || !s.sensitivity) {
        set({ planError: invalid, planNotice: null });
        return;
      }
      const { goal, targetScore: t, accuracyFloorPercent: f } = s.planSettings;
      const targetScore = goal === 'score' ? t : null;
      const accuracyFloor = goal === 'accuracy' && f !== null ? f / 100 : null;
      const req: PlanRequest = {
        reportId: s.sensitivity.reportId,
        base: s.recipe,
        ...(targetScore !== null ? { targetScore } : {}),
        ...(accuracyFloor !== null ? { accuracyFloor } : {}),
        ...(s.exitRate?.rate !== undefined ? { exitRate: s.exitRate.rate } : {}),
      };
      const mine = ++request;
      set({ planning: true, planError: null, planNotice: null });
      try {
        const plan = await getLab().planRecipe(req);
        if (mine !== request) return;
        const networkId = s.scoreInputs?.networkId ?? null;
        set({ proposal: proposalFromPlan(plan, { targetScore, accuracyFloor, networkId }) });
      } catch (err) {
        if (mine === request) set({ planError: errorMessage(err) });
      } finally {
        if (mine === request) set({ planning: false });
      }
    },
    editProposalRow: (layer, edit) => {
      const p = get().proposal;
      if (!p) return;
      try {
        set({ proposal: editProposal(p, layer, edit), planError: null });
      } catch (err) {
        set({ planError: errorMessage(err) });
      }
    },
    discardProposal: () => {
      request++;
      set({ proposal: null, planning: false, planError: null, planNotice: null });
    },
    applyProposal: () => {
      const s = get();
      const p = s.proposal;
      const blocked = applyBlocker(s);
      if (blocked || !p) {
        set({ planError: blocked });
        return;
      }
      let recipe;
      try {
        recipe = validateRecipe(proposalRecipe(p));
      } catch (err) {
        set({ planError: `The edited proposal is not a valid recipe: ${errorMessage(err)}` });
        return;
      }
      s.setRecipe(recipe);
      const edits = editSummary(p);
      set({
        proposal: null,
        planError: null,
        planNotice: `Applied the proposed recipe${edits ? ` with your edits (${edits})` : ''}.`,
      });
    },
  };
};
