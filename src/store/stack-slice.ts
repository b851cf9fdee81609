/**
 * Stack slice: the worker's network stack (worker/network-stack.ts) as the header's Undo / Redo
 * show it. Every job that makes a new current network pushes it in the worker, which then sends
 * the new view as a 'stack' event (recovery-slice.ts sets it here). Undo / redo make the previous /
 * next network current (kept across reloads; their NetworkChange goes to applyNetworkChange) and
 * refuse while a job runs. isStale compares a result's network key with the current one
 * (network-slice.ts currentNetworkKey), so results of an earlier network are labelled stale.
 */
import type { StateCreator } from 'zustand';
import { errorMessage, getLab } from '../client/lab-client';
import type { StackMove } from '../worker/network-stack';
import type { WithChange } from '../protocol/network-change';
import type { StackView } from '../worker/stack-state';
import type { LabState } from './lab-store';

export interface StackValues {
  networkStack: StackView | null;
  stackError: string | null;
  /** An undo or redo is under way. */
  stackMoving: boolean;
}

export interface StackActions {
  undoNetwork: () => Promise<void>;
  redoNetwork: () => Promise<void>;
}

export type StackSlice = StackValues & StackActions;

export const STACK_DEFAULT: StackValues = {
  networkStack: null,
  stackError: null,
  stackMoving: false,
};

/** True when a result of network `key` is shown while another network is current. */
export const isStale = (key: string | null | undefined, current: string | null): boolean =>
  !!key && current !== null && key !== current;

/** Why the current network cannot change now (a job holds it), or null. */
export function stackBlocker(s: LabState): string | null {
  const j = s.jobs;
  if (j.train || j.evaluate || j.model || j.analyse || j.prune || j.sensitivity || j.recipe)
    return 'A job is using the network: undo once it is done.';
  if (j.measure) return 'A measurement is running: undo once it is done.';
  if (s.restoringRunId !== null) return 'A History restore is under way.';
  return null;
}

export const createStackSlice: StateCreator<LabState, [], [], StackSlice> = (set, get) => {
  const move = async (how: (lab: ReturnType<typeof getLab>) => Promise<WithChange<StackMove>>) => {
    const s = get();
    if (s.stackMoving) return;
    const blocker = stackBlocker(s);
    if (blocker) {
      set({ stackError: blocker });
      return;
    }
    set({ stackMoving: true, stackError: null });
    try {
      const r = await how(getLab());
      set({ networkStack: r.view });
      get().applyNetworkChange(r.change);
    } catch (e) {
      set({ stackError: errorMessage(e) });
    } finally {
      set({ stackMoving: false });
    }
  };

  return {
    ...STACK_DEFAULT,
    undoNetwork: () => move((lab) => lab.undoNetwork()),
    redoNetwork: () => move((lab) => lab.redoNetwork()),
  };
};
