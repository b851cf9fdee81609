/**
 * The first-run hint's memory: once dismissed it stays away, in this browser (localStorage), until
 * the header's "Show first steps" brings it back (forgetHintDismissed). A storage that cannot be
 * read (private mode, blocked cookies, Node) counts as "not dismissed", and a failed write only
 * costs the hint coming back (or staying away) next time.
 */

export const HINT_KEY = 'micronet-lab:first-run-hint';
const DISMISSED = 'dismissed';

/** The part of the Web Storage API the hint uses. */
export type HintStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** window.localStorage, or null where there is none or it throws on access. */
export function browserStorage(): HintStorage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

export function readHintDismissed(storage: HintStorage | null): boolean {
  try {
    return storage?.getItem(HINT_KEY) === DISMISSED;
  } catch {
    return false;
  }
}

/** Remembers the dismissal; false when it could not be stored. */
export function rememberHintDismissed(storage: HintStorage | null): boolean {
  if (!storage) return false;
  try {
    storage.setItem(HINT_KEY, DISMISSED);
    return true;
  } catch {
    return false;
  }
}

/** Forgets the dismissal (the hint shows again, also after a reload); false when it could not. */
export function forgetHintDismissed(storage: HintStorage | null): boolean {
  if (!storage) return false;
  try {
    storage.removeItem(HINT_KEY);
    return true;
  } catch {
    return false;
  }
}
