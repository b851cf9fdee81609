/**
 * Backends across the thread boundary: the preference the user picks, which tfjs backend the
 * worker runs and why (with the ones it tried first), and the debug view the e2e hook reads.
 */

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPreference = BackendName | 'auto';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendAttempt {
  name: string;
  reason: string;
}

/** Which backend runs, why, and what was tried before it. */
export interface BackendInfo {
  name: string;
  reason: string;
  /** True when `?backend=` forced it. */
  forced: boolean;
  fallbacks: BackendAttempt[];
  /** The worker's `crossOriginIsolated` (needed for multi-threaded wasm). */
  crossOriginIsolated?: boolean;
  /** On wasm: XNNPACK threads (1 = the single-threaded build). */
  wasmThreads?: number;
}

/** What the worker reports about its tfjs state (used by the e2e test hook). */
export interface DebugInfo {
  tfBackend: string;
  adapter: { vendor: string; architecture: string; isFallbackAdapter: boolean } | null;
  numTensors: number;
}
