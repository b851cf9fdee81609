/**
 * What a training run does to the current network, said before it starts and after it ends. A run
 * trains its own network (worker/train-service.ts); when it ends — finished, stopped at its time
 * budget, or cancelled after a step — that network replaces the current one. The network stack
 * keeps the one replaced for Undo, unless it could not keep it (too big for browser storage,
 * storage failed): then Start asks first (needsTrainConfirm). Pure: reads a few store fields.
 */
import type { NetworkInfo } from '../worker/lab-types';
import type { StackView } from '../worker/stack-state';

/** "osi-micronet (trained_model.pth)" or "tiny". */
export function networkLabel(n: NetworkInfo): string {
  return n.source ? `${n.name} (${n.source})` : n.name;
}

/**
 * True when a run would replace a current network that Undo could not bring back (a stack that is
 * not known — null — does not ask: the worker is gone, and the run would fail anyway).
 */
export function needsTrainConfirm(network: NetworkInfo | null, stack: StackView | null): boolean {
  return network !== null && stack !== null && !stack.currentKept;
}

/** The Train panel's note before a run: what the run's end does to the current network. */
export function trainReplaceNote(
  network: NetworkInfo | null,
  stack: StackView | null,
  model: string,
): string | null {
  if (!network) return null;
  const current = networkLabel(network);
  if (needsTrainConfirm(network, stack))
    return (
      `The current network ${current} is not kept for undo (too big for browser storage, or ` +
      `storage failed): when the run ends, or is cancelled after a step, the trained ${model} ` +
      `replaces it for good. Export it first (Model view) to keep a copy.`
    );
  const undo = stack?.currentKept ? ', and Undo network brings it back' : '';
  return (
    `The run trains a new ${model}: ${current} stays current until the run ends (or is ` +
    `cancelled after a step), then the trained ${model} replaces it${undo}.`
  );
}

/** What a run's end did to the network that was current when it started (null: none). */
export function trainEndNote(
  steps: number,
  model: string,
  replaced: NetworkInfo | null,
  kept: boolean,
): string {
  if (steps === 0)
    return replaced
      ? `The current network ${networkLabel(replaced)} is unchanged.`
      : 'No network was made.';
  if (!replaced) return `The trained ${model} is now the current network.`;
  const back = kept ? 'Undo network brings it back' : 'it was not kept for undo';
  return `The trained ${model} is now the current network in place of ${networkLabel(replaced)}: ${back}.`;
}
