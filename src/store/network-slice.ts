/**
 * Network slice: the worker's current network as the store knows it (its info and content key),
 * and the one owner of "the network changed". Every worker call that may change the network
 * (train, evaluate, import — example and History restore included —, prune, schedule, recipe
 * run, undo / redo, session restore) returns a NetworkChange (protocol/network-change.ts);
 * its caller hands it to applyNetworkChange, which sets in one update what the panels show of
 * the network: its info and key, the Score panel's inputs (a new network drops the accuracy
 * measured on the old one), whether the Spectra analysis still fits it, and the pruning schedule
 * kept for "Resume". The prune slice plans again from the store when the network changes; the
 * undo stack's view comes with the worker's 'stack' events (recovery slice). Panels only read.
 */
import type { StateCreator } from 'zustand';
import { stableJson } from '../core/util/stable-json';
import type { NetworkInfo } from '../worker/lab-types';
import { getLab } from '../client/lab-client';
import type { NetworkChange } from '../protocol/network-change';
import type { LabState } from './lab-store';
import { prepareScoreInputs, type PreparedScoreInputs } from './score-compute';
import { scored } from './score-slice';

export interface NetworkValues {
  /** The worker's current network; null before any train / evaluate / import. */
  network: NetworkInfo | null;
  /** Content key of the worker's current network (ScoreInputs.networkKey); null: none. */
  currentNetworkKey: string | null;
}

export interface NetworkActions {
  /** Applies what a network-changing worker call returned (the one place that does). */
  applyNetworkChange: (change: NetworkChange) => void;
  /** Asks the worker for the current network's NetworkChange (debug hooks, a failed job). */
  refreshNetwork: () => Promise<void>;
}

export type NetworkSlice = NetworkValues & NetworkActions;

export const NETWORK_DEFAULT: NetworkValues = {
  network: null,
  currentNetworkKey: null,
};

/** The same network as before (nothing about it changed): its info object is kept. */
function sameNetwork(s: LabState, c: NetworkChange): boolean {
  return (
    c.networkKey === s.currentNetworkKey &&
    (c.scoreInputs?.networkId ?? null) === (s.scoreInputs?.networkId ?? null) &&
    stableJson(c.network) === stableJson(s.network)
  );
}

/** The change's score inputs, prepared; the table of an unchanged network is reused. */
function prepared(s: LabState, c: NetworkChange): PreparedScoreInputs | null {
  const raw = c.scoreInputs;
  if (!raw) return null;
  const prev = s.scoreInputs;
  return prev?.networkId === raw.networkId
    ? { ...raw, table: prev.table }
    : prepareScoreInputs(raw);
}

export const createNetworkSlice: StateCreator<LabState, [], [], NetworkSlice> = (set, get) => ({
  ...NETWORK_DEFAULT,
  applyNetworkChange: (change) => {
    const s = get();
    const scoreInputs = prepared(s, change);
    // Another network (or new weights): its accuracy is unknown until measured again.
    if (scoreInputs?.networkId !== s.scoreInputs?.networkId) s.forgetMeasurements();
    const analysis = s.analysis;
    set({
      network: sameNetwork(s, change) ? s.network : change.network,
      currentNetworkKey: change.networkKey,
      scoreInputs,
      scoreInputsError: change.scoreInputsError,
      ...scored(scoreInputs, s.recipe, s.exitRateOverride),
      analysisStale: analysis ? change.analysisId !== analysis.analysisId : s.analysisStale,
      scheduleSaved: change.scheduleSaved,
    });
  },
  refreshNetwork: async () => {
    let change: NetworkChange;
    try {
      change = await getLab().networkChange();
    } catch {
      return; // the worker is gone; the panels already show that error
    }
    get().applyNetworkChange(change);
  },
});
