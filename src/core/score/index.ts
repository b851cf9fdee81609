/**
 * MicroNet score counter: network graph + recipe → parameter storage, operations and score,
 * following the MicroNet Challenge rules (shared/docs/MICRONET_RULES.md). No tensors. The recipe
 * itself (schema, validation, canonical form) lives in core/recipe.
 *   const table = buildScoreTable(graph);          // once per graph (shapes, raw counts)
 *   const r = scoreNetwork(table, recipe, { layerZeroFraction, exitRate }); // per recipe
 */
export {
  BASELINE_OPS,
  BASELINE_PARAMS,
  DEFAULT_ACTIVATION_COSTS,
  countOp,
  countOpList,
  micronetScore,
  officialOutputSize,
  sparseSizeBits,
  weighCounts,
  type ActivationCosts,
  type CountOp,
  type OpBits,
  type RawCounts,
  type WeightedCounts,
} from './op-counts';
export {
  buildScoreTable,
  type RowKind,
  type RowPath,
  type ScoreRow,
  type ScoreTable,
  type ScoreTableOptions,
} from './score-table';
export {
  scoreNetwork,
  type LayerScore,
  type PathTotals,
  type ScoreContext,
  type ScoreResult,
} from './score-network';
export { COUNTING_CONVENTIONS } from './conventions';
