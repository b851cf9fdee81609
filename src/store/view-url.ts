/**
 * The lab's views (one per step: Data → Model → Train → Compress → History) and the current one
 * in the page URL, `?view=<name>`, so that a link opens the right view. Other parameters
 * (`?backend=`, `?recipe=`) are kept in place. A few aliases name the panel a view holds
 * (`?view=score` opens Compress); an unknown name opens the default view.
 */

export const VIEWS = ['data', 'model', 'train', 'compress', 'history'] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_PARAM = 'view';
export const DEFAULT_VIEW: View = 'data';

/** Tab labels, in step order. */
export const VIEW_LABELS: Readonly<Record<View, string>> = {
  data: 'Data',
  model: 'Model',
  train: 'Train & evaluate',
  compress: 'Compress',
  history: 'History',
};

/** Panel names a link may use for the view that holds the panel. */
const ALIASES: Readonly<Record<string, View>> = {
  evaluate: 'train',
  score: 'compress',
  spectra: 'compress',
  pruning: 'compress',
};

function isView(s: string): s is View {
  return (VIEWS as readonly string[]).includes(s);
}

/** The view named by `text` (case-insensitive, aliases allowed), or null. */
export function parseView(text: string | null): View | null {
  if (text === null) return null;
  const name = text.trim().toLowerCase();
  if (isView(name)) return name;
  return ALIASES[name] ?? null;
}

/** The view in a query string such as window.location.search (null: none or unknown). */
export function readViewParam(search: string): View | null {
  return parseView(new URLSearchParams(search).get(VIEW_PARAM));
}

const isViewPart = (part: string): boolean => part.split('=')[0] === VIEW_PARAM;

/**
 * `search` with its view parameter set to `view`: in place when present, else appended. The other
 * parameters keep their exact text (the recipe writer leaves ':' ',' … unescaped).
 */
export function searchWithView(search: string, view: View): string {
  const parts = search
    .replace(/^\?/, '')
    .split('&')
    .filter((p) => p !== '');
  const at = parts.findIndex(isViewPart);
  const kept = parts.filter((p) => !isViewPart(p));
  const entry = `${VIEW_PARAM}=${view}`;
  if (at >= 0) kept.splice(at, 0, entry);
  else kept.push(entry);
  return `?${kept.join('&')}`;
}
