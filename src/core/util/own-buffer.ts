/**
 * A typed array that owns its buffer exactly: the array itself when it already does, else a
 * copy. Storing or cloning a view (IndexedDB, postMessage) would carry its whole underlying
 * buffer, e.g. a whole file for one tensor read out of it.
 */
export function ownBuffer<T extends Uint8Array | Float32Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}
