/**
 * JSON with object keys sorted and undefined fields left out: equal strings for equal values
 * whatever their key order. Two persisted formats are pinned to it — a recipe run's checkpoint
 * (compress/pipeline/pipeline-state.ts) and the recipe text in a compressed network's content key
 * (worker score-service) — so it must not change. To ask whether two recipes are the same, use
 * recipeJson() (core/recipe/canonical.ts).
 */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
}
