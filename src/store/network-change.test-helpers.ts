/**
 * NetworkChange values for store tests with a fake worker: what a network-changing call returns
 * (protocol/network-change.ts), built from the network info and, where the test scores, its
 * score inputs (the key is theirs).
 */
import type { NetworkInfo, ScoreInputs } from '../worker/lab-types';
import type { NetworkChange } from '../protocol/network-change';

export function changeOf(
  network: NetworkInfo | null,
  inputs: ScoreInputs | null = null,
  patch: Partial<NetworkChange> = {},
): NetworkChange {
  return {
    network,
    networkKey: inputs?.networkKey ?? null,
    scoreInputs: inputs,
    scoreInputsError: null,
    analysisId: null,
    scheduleSaved: null,
    ...patch,
  };
}
