/**
 * IndexedDB write failures turned into messages a user can act on. A full quota is never silent:
 * callers surface `StorageError.message` in the panel that tried to save.
 */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    message: string,
    /** True when the browser refused for lack of space (QuotaExceededError). */
    readonly quota: boolean,
  ) {
    super(message);
  }
}

function isQuotaError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const name = (e as { name?: unknown }).name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

/** Wraps an IndexedDB failure while saving `what` (e.g. "the epoch 3 checkpoint"). */
export function storageError(what: string, e: unknown): StorageError {
  if (isQuotaError(e)) {
    return new StorageError(
      `Browser storage is full: could not save ${what}. Delete runs in the History panel or clear the dataset cache, then retry.`,
      true,
    );
  }
  const detail = e instanceof Error ? e.message || e.name : String(e);
  return new StorageError(`Could not save ${what} in browser storage: ${detail}`, false);
}
