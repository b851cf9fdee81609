/**
 * The compression recipe: its schema and validation (recipe.ts, prune-spec.ts), its canonical
 * form and identity (canonical.ts) and its `?recipe=` URL codec (recipe-url.ts). Pure data, no
 * tensors; the score counter (core/score), the compression pipeline, the worker, the store and
 * the CLI all read recipes through here.
 *   const r = validateRecipe(JSON.parse(text));   // throws a RecipeError naming the field
 *   recipeJson(a) === recipeJson(b);               // the same recipe
 */
export {
  DISTILL_DEFAULTS,
  RecipeError,
  isValidBits,
  minRecipeBits,
  validateRecipe,
  type CountingProfile,
  type DistillSettings,
  type FineTuneAugment,
  type FineTuneSettings,
  type LayerBits,
  type PruneSchedule,
  type QuantMethod,
  type Recipe,
  type SparsityAllocation,
  type WeightGranularity,
} from './recipe';
export { validatePruneSpec, type PruneMethod, type PruneSpec } from './prune-spec';
export { FULL_PRECISION, canonicalRecipe, recipeJson } from './canonical';
export {
  RECIPE_PARAM,
  encodeRecipe,
  parseRecipeParam,
  readRecipeParam,
  searchWithRecipe,
  type RecipeFromUrl,
} from './recipe-url';
