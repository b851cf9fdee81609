/**
 * Backend slice: which tfjs backend the worker runs and why (WebGPU → WebGL → wasm → cpu), and
 * the user's preference from `?backend=`.
 */
import type { StateCreator } from 'zustand';
import {
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  type BackendPreference,
} from '../worker/lab-types';
import { errorMessage, getLab } from '../client/lab-client';
import type { LabState } from './lab-store';

export interface BackendValues {
  backend: BackendInfo | null;
  backendStatus: 'idle' | 'starting' | 'ready' | 'error';
  backendError: string | null;
  preference: BackendPreference;
  /** Set when `?backend=` held an unknown name. */
  preferenceNote: string | null;
}

export interface BackendActions {
  /** Starts the worker's backend once; later calls return the same promise. */
  initBackend: (pref: BackendPreference, note?: string | null) => Promise<void>;
}

export type BackendSlice = BackendValues & BackendActions;

export const BACKEND_DEFAULT: BackendValues = {
  backend: null,
  backendStatus: 'idle',
  backendError: null,
  preference: 'auto',
  preferenceNote: null,
};

/** Reads `?backend=webgpu|webgl|wasm|cpu` from a query string. */
export function parseBackendParam(search: string): {
  preference: BackendPreference;
  note: string | null;
} {
  const raw = new URLSearchParams(search).get('backend');
  if (raw === null || raw === '' || raw === 'auto') return { preference: 'auto', note: null };
  const name = raw.toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(name)) {
    return { preference: name as BackendName, note: null };
  }
  return {
    preference: 'auto',
    note: `ignored ?backend=${raw} (expected one of ${BACKEND_NAMES.join(', ')})`,
  };
}

let initPromise: Promise<void> | null = null;

export const createBackendSlice: StateCreator<LabState, [], [], BackendSlice> = (set) => ({
  ...BACKEND_DEFAULT,
  initBackend: (pref, note = null) => {
    if (initPromise) return initPromise;
    set({ backendStatus: 'starting', preference: pref, preferenceNote: note });
    initPromise = getLab()
      .init(pref)
      .then((backend) => set({ backend, backendStatus: 'ready', backendError: null }))
      .catch((err: unknown) => set({ backendStatus: 'error', backendError: errorMessage(err) }));
    return initPromise;
  },
});
