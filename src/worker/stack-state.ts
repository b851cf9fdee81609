/**
 * The network stack's bookkeeping (pure): the networks the lab has made current, oldest first,
 * and which one is current. A push drops the redo tail (the networks after the current one) and
 * the oldest beyond MAX_STACK; undo / redo move the index. ./network-stack.ts keeps the bytes.
 */

/** Networks kept for undo. */
export const MAX_STACK = 12;

export interface StackEntry {
  id: string;
  /** What made it current: "Imported tiny.safetensors", "Trained tiny", … */
  label: string;
  /** Graph name. */
  name: string;
  params: number;
  savedAt: number;
}

export interface StackState {
  entries: StackEntry[];
  /** Index of the current network in entries; -1 when empty. */
  index: number;
}

/** What the main thread shows: the entries, the current one, and whether undo / redo can move. */
export interface StackView extends StackState {
  canUndo: boolean;
  canRedo: boolean;
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

export function viewOf(s: StackState): StackView {
  return {
    entries: s.entries.map((e) => ({ ...e })),
    index: s.index,
    canUndo: s.index > 0,
    canRedo: s.index >= 0 && s.index < s.entries.length - 1,
  };
}

/** A state read back from storage, checked (a bad one is empty). */
export function checkedState(s: StackState | null | undefined): StackState {
  if (!s || !Array.isArray(s.entries) || !Number.isInteger(s.index)) return EMPTY_STACK;
  if (s.entries.length === 0) return EMPTY_STACK;
  const index = Math.min(Math.max(s.index, 0), s.entries.length - 1);
  return { entries: s.entries, index };
}
