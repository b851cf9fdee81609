/**
 * A planned structured prune as plain data (./prune-plan.ts computes it; the worker hands it to
 * the Pruning panel as it is, protocol/prune.ts re-exports it): channel groups or eigenbasis
 * layers with what each keeps, and the network's parameters and score before → after.
 */

/** Channel method: one dependency group's row of the plan (coupled layers move together). */
export interface PlanGroup {
  id: string;
  width: number;
  kept: number;
  /** Removed share of the group's channels. */
  ratio: number;
  capped: boolean;
  override: boolean;
  /** Layers whose output channels these are (conv / depthwise / dense). */
  producers: string[];
  /** Every layer with parameters the group touches, each with its role. */
  layers: { name: string; role: 'out' | 'in' | 'bn' }[];
}

/** Eigenbasis method: one analysed layer's row of the plan. */
export interface PlanLayer {
  name: string;
  kernel: number;
  inChannels: number;
  outChannels: number;
  keptRows: number;
  keptCols: number;
  /** Removed share of the layer's eigen-directions (rows and columns together). */
  ratio: number;
  paramsBefore: number;
  paramsAfter: number;
  factorize: boolean;
  override: boolean;
}

/** A planned prune of the current network (nothing changed yet) and its score before → after. */
export interface PrunePlan {
  method: 'channels' | 'eigenbasis';
  paramsBefore: number;
  paramsAfter: number;
  scoreBefore: number | null;
  scoreAfter: number | null;
  /** Why no score (e.g. the recipe does not fit the network); null when scored. */
  scoreError: string | null;
  groups: PlanGroup[];
  layers: PlanLayer[];
  /** The analysis an eigenbasis plan used. */
  analysisId: number | null;
}
