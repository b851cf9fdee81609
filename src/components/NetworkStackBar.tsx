/**
 * Undo / Redo of the current network (the worker's network stack, store/stack-slice.ts): which
 * network is current and what made it so, and buttons back to the previous network or forward
 * again. Import, train, prune, schedule, recipe runs and History restores each push one; the
 * stack survives a reload. Disabled while a job uses the network. A current network the stack
 * could not keep (too big, storage failed) is said so; Undo then returns to the last one kept.
 */
import { stackBlocker } from '../store/stack-slice';
import { useLabStore } from '../store/lab-store';

export function NetworkStackBar() {
  const view = useLabStore((s) => s.networkStack);
  const error = useLabStore((s) => s.stackError);
  const moving = useLabStore((s) => s.stackMoving);
  const blocker = useLabStore(stackBlocker);
  const { undoNetwork, redoNetwork } = useLabStore.getState();
  if (!view || view.entries.length === 0) return null;
  const at = view.entries[view.index];
  // A current network the stack could not keep: undo returns to the stack's current entry.
  const prev = view.currentKept ? view.entries[view.index - 1] : at;
  const next = view.entries[view.index + 1];
  const busy = moving || blocker !== null;
  return (
    <div
      className="network-stack"
      role="group"
      aria-label="Network undo and redo"
      data-testid="network-stack"
      data-index={view.index}
      data-size={view.entries.length}
    >
      <span className="hint" data-testid="network-stack-current" data-kept={view.currentKept}>
        {!at
          ? ''
          : view.currentKept
            ? `${at.label} (${view.index + 1} of ${view.entries.length})`
            : `current network not kept for undo (last kept: ${at.label})`}
      </span>
      <button
        type="button"
        className="small"
        disabled={!view.canUndo || busy}
        title={prev ? `Back to: ${prev.label}` : 'Nothing to undo'}
        onClick={() => void undoNetwork()}
      >
        Undo network
      </button>
      <button
        type="button"
        className="small"
        disabled={!view.canRedo || busy}
        title={next ? `Forward to: ${next.label}` : 'Nothing to redo'}
        onClick={() => void redoNetwork()}
      >
        Redo network
      </button>
      {error && (
        <span className="status status-error" role="alert" data-testid="network-stack-error">
          {error}
        </span>
      )}
    </div>
  );
}
