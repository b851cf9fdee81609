/**
 * NetworkChange: what the main thread shows about the worker's current network, read once in the
 * worker at the end of every call that may have changed it (train, evaluate, import, prune,
 * schedule, recipe run, undo / redo, session restore; worker/network-change.ts builds it) and applied
 * by one store action (store/network-slice.ts applyNetworkChange). Nothing on the main thread
 * asks the worker again because the network changed. The undo stack's view is not part of it: the
 * stack keeps the new network after the call returns and says so with a 'stack' event.
 */
import type { NetworkInfo } from './network';
import type { ScheduleSaved } from './prune';
import type { ScoreInputs } from './score';

export interface NetworkChange {
  /** The current network (null: none yet). */
  network: NetworkInfo | null;
  /** Its content key (ScoreInputs.networkKey); null without a network. */
  networkKey: string | null;
  /** What the Score panel scores recipes with (null: no network, or scoreInputsError). */
  scoreInputs: ScoreInputs | null;
  /** Why the score inputs could not be read (null: they were, or there is no network). */
  scoreInputsError: string | null;
  /** Id of the Spectra analysis that still fits the network (null: none, or stale). */
  analysisId: number | null;
  /** The unfinished pruning schedule kept for "Resume" (null: none fits this network). */
  scheduleSaved: ScheduleSaved | null;
}

/** A call's own result with the NetworkChange it made. */
export type WithChange<T> = T & { change: NetworkChange };
