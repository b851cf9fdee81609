/**
 * The recipe in the page URL: `?recipe=<JSON>`, percent-encoded except for the characters a
 * query component may carry as they are (`:` `,` …), so a link stays readable and reproduces the
 * state. Other parameters (e.g. `?backend=`) are kept. An empty recipe removes the parameter.
 * Decoding validates with the schema (recipe.ts); errors name the bad field. Pure string work
 * (URLSearchParams only): the store reads and writes window.location with it.
 */
import { canonicalRecipe, recipeJson } from './canonical';
import { validateRecipe, type Recipe } from './recipe';

export const RECIPE_PARAM = 'recipe';

/** Characters RFC 3986 allows unescaped in a query that encodeURIComponent escapes anyway. */
const KEEP = /%(3A|2C|40|24|2F|3B)/g;

/** The query-component form of the recipe (what follows `recipe=`). */
export function encodeRecipe(r: Recipe): string {
  return encodeURIComponent(recipeJson(r)).replace(KEEP, (m) => decodeURIComponent(m));
}

/**
 * Parses and validates an (already percent-decoded) `recipe` parameter value; throws an Error
 * whose message names the parameter and, for a schema error, the bad field.
 */
export function parseRecipeParam(text: string): Recipe {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`?${RECIPE_PARAM}= is not valid JSON (${why}): ${text.slice(0, 120)}`);
  }
  try {
    return canonicalRecipe(validateRecipe(raw));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`?${RECIPE_PARAM}= was rejected: ${why}`);
  }
}

export interface RecipeFromUrl {
  /** null when the URL has no recipe or a bad one. */
  recipe: Recipe | null;
  /** Why the URL's recipe was rejected (the lab then keeps its default recipe). */
  error: string | null;
}

/** Reads `?recipe=` from a query string such as window.location.search. */
export function readRecipeParam(search: string): RecipeFromUrl {
  const text = new URLSearchParams(search).get(RECIPE_PARAM);
  if (text === null || text.trim() === '') return { recipe: null, error: null };
  try {
    return { recipe: parseRecipeParam(text), error: null };
  } catch (e) {
    return { recipe: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** `search` with its recipe parameter replaced by `r` (removed when `r` is empty). */
export function searchWithRecipe(search: string, r: Recipe): string {
  const params = new URLSearchParams(search);
  params.delete(RECIPE_PARAM);
  const rest = params.toString();
  const json = recipeJson(r);
  const recipe = json === '{}' ? '' : `${RECIPE_PARAM}=${encodeRecipe(r)}`;
  const query = [rest, recipe].filter((s) => s !== '').join('&');
  return query === '' ? '' : `?${query}`;
}
