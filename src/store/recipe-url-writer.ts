/**
 * The Score panel's recipe in the address bar: every edit is written to `?recipe=`
 * (core/recipe/recipe-url.ts) with history.replaceState, throttled to one write per
 * URL_WRITE_MS while a slider is dragged (browsers limit replaceState calls).
 */
import { searchWithRecipe, type Recipe } from '../core/recipe/index';

const URL_WRITE_MS = 250;

/** Trailing-edge throttle of URL writes (browsers limit replaceState calls). */
export function urlWriter(): (recipe: Recipe) => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest: Recipe = {};
  let lastWrite = -Infinity;
  const write = () => {
    timer = null;
    lastWrite = Date.now();
    if (typeof window === 'undefined') return;
    const { pathname, search, hash } = window.location;
    const next = `${pathname}${searchWithRecipe(search, latest)}${hash}`;
    if (next !== `${pathname}${search}${hash}`)
      window.history.replaceState(window.history.state, '', next);
  };
  return (recipe) => {
    latest = recipe;
    if (timer !== null) return;
    const wait = Math.max(0, lastWrite + URL_WRITE_MS - Date.now());
    if (wait === 0) write();
    else timer = setTimeout(write, wait);
  };
}
