/**
 * Test hook (lab-api's debugAbort, window.__lab.debugAbortWorker()): from now on every job in
 * this worker fails at its start as tfjs-wasm does after an Emscripten abort() — the worker keeps
 * answering pings, only its calls fail — so the main thread's detection of a broken worker
 * (client/worker-watchdog.ts brokenWorkerReason) can be exercised end to end.
 */

/** The message Emscripten's abort() throws in a release build. */
export const ABORT_MESSAGE = 'Aborted(). Build with -sASSERTIONS for more info.';

let aborted = false;

export function debugAbort(): void {
  aborted = true;
}

/** Throws the abort's RuntimeError once debugAbort() was called. */
export function throwIfDebugAborted(): void {
  if (aborted) throw new WebAssembly.RuntimeError(ABORT_MESSAGE);
}
