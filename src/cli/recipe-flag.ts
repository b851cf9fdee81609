/**
 * `--recipe <json>`: a recipe as inline JSON (`--recipe '{"weightBits":8}'`) or the path of a
 * JSON file. Validated against the recipe schema; errors name the flag and the bad field.
 */
import fs from 'node:fs';
import { validateRecipe, type Recipe } from '../core/recipe';
import { optionalFlag, UsageError, type ParsedArgs } from './args';

function recipeText(value: string): string {
  if (value.trimStart().startsWith('{')) return value;
  if (!fs.existsSync(value)) {
    throw new UsageError(`--recipe: "${value}" is neither inline JSON nor an existing file`);
  }
  return fs.readFileSync(value, 'utf8');
}

/** The validated recipe of `--recipe`, or the empty recipe (the network as it is). */
export function recipeFlag(args: ParsedArgs): Recipe {
  const value = optionalFlag(args, 'recipe');
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(recipeText(value));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--recipe: not valid JSON (${(e as Error).message})`);
  }
  try {
    return validateRecipe(parsed);
  } catch (e) {
    throw new UsageError(`--recipe: ${(e as Error).message}`);
  }
}
