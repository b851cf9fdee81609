/**
 * The network stack's bookkeeping (pure): the networks the lab has made current, oldest first,
 * and which one is current. A push drops the redo tail (the networks after the current one) and
 * the oldest beyond MAX_STACK; undo / redo move the index. ./network-stack.ts keeps the bytes.
 */
import type { StackEntry, StackState } from '../protocol/stack';

// Defined in src/protocol (persist keeps the state too), part of this contract.
export type { StackEntry, StackState } from '../protocol/stack';

/** Networks kept for undo. */
export const MAX_STACK = 12;

/** What the main thread shows: the entries, the current one, and whether undo / redo can move. */
export interface StackView extends StackState {
  canUndo: boolean;
  canRedo: boolean;
  /**
   * The current network is the stack's current entry, so a job that replaces it can be undone;
   * false when it could not be kept (too big, storage failed) or no network was pushed yet.
   */
  currentKept: boolean;
}

export const EMPTY_STACK: StackState = { entries: [], index: -1 };

export interface Pushed {
  state: StackState;
  /** Ids no longer on the stack (their bytes can go). */
  dropped: string[];
}

/** `entry` becomes current after the current one; the redo tail and the oldest overflow go. */
export function pushEntry(s: StackState, entry: StackEntry, max = MAX_STACK): Pushed {
  const kept = s.entries.slice(0, s.index + 1);
  const tail = s.entries.slice(s.index + 1);
  const all = [...kept, entry];
  const over = Math.max(0, all.length - max);
  const entries = all.slice(over);
  const dropped = [...all.slice(0, over), ...tail].map((e) => e.id);
  return { state: { entries, index: entries.length - 1 }, dropped };
}

/** The state after moving `delta` (−1 undo, +1 redo), or null when it cannot move. */
export function moveIndex(s: StackState, delta: number): StackState | null {
  const index = s.index + delta;
  if (index < 0 || index >= s.entries.length || s.index < 0) return null;
  return { ...s, index };
}

/** The view of `s`; `currentKept`: the current network is its current entry (default: one is). */
export function viewOf(s: StackState, currentKept = s.index >= 0): StackView {
  return {
    entries: s.entries.map((e) => ({ ...e })),
    index: s.index,
    // A current network that is not kept: undo goes back to the stack's current entry itself.
    canUndo: s.index > 0 || (s.index >= 0 && !currentKept),
    canRedo: s.index >= 0 && s.index < s.entries.length - 1,
    currentKept: currentKept && s.index >= 0,
  };
}

/** A state read back from storage, checked (a bad one is empty). */
export function checkedState(s: StackState | null | undefined): StackState {
  if (!s || !Array.isArray(s.entries) || !Number.isInteger(s.index)) return EMPTY_STACK;
  if (s.entries.length === 0) return EMPTY_STACK;
  const index = Math.min(Math.max(s.index, 0), s.entries.length - 1);
  return { entries: s.entries, index };
}
