/** Public API of the recipe planner (see README.md). */
export { planRecipe } from './plan-recipe';
export type { PlanOptions, PlanResult, PlannedLayer, SparsityPlanAllocation } from './types';
