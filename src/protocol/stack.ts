/**
 * The network stack's state (undo / redo): the networks the lab has made current, oldest first,
 * and which one is current. The worker keeps it (worker/stack-state.ts, network-stack.ts) and
 * persist stores it (persist/stack-db.ts). Types only.
 */
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
