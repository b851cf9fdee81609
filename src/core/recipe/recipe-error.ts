/** A recipe that does not fit the schema; the message names the field and the bad value. */
export class RecipeError extends Error {
  override name = 'RecipeError';
}
