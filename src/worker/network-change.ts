/**
 * Builds the NetworkChange (protocol/network-change.ts) that every network-changing call of the
 * lab API returns: read once, after the job and its invalidations ended, from the services that
 * own each part (score inputs and key, the kept analysis, the kept pruning schedule). The score
 * profile's quantile buffers go back transferred, not copied.
 */
import * as Comlink from 'comlink';
import type { AnalysisService } from './analysis-service';
import type { CurrentNetwork } from './current-network';
import type { NetworkChange, WithChange } from '../protocol/network-change';
import type { PruneService } from './prune-service';
import type { ScoreService } from './score-service';

export interface ChangeSources {
  current: CurrentNetwork;
  scores: Pick<ScoreService, 'inputs' | 'networkKey'>;
  analysis: Pick<AnalysisService, 'validId'>;
  pruner: Pick<PruneService, 'savedSchedule'>;
}

const message = (e: unknown): string => (e instanceof Error ? e.message || e.name : String(e));

/** The worker's current network as the main thread shows it (score inputs errors as text). */
export async function readNetworkChange(src: ChangeSources): Promise<NetworkChange> {
  let scoreInputs: NetworkChange['scoreInputs'] = null;
  let scoreInputsError: string | null = null;
  try {
    scoreInputs = await src.scores.inputs();
  } catch (e) {
    scoreInputsError = message(e);
  }
  const networkKey = await src.scores.networkKey().catch(() => scoreInputs?.networkKey ?? null);
  return {
    network: src.current.info(),
    networkKey,
    scoreInputs,
    scoreInputsError,
    analysisId: src.analysis.validId(),
    scheduleSaved: src.pruner.savedSchedule(),
  };
}

/** The change's profile buffers (what Comlink transfers instead of copying). */
export function changeBuffers(c: NetworkChange): ArrayBuffer[] {
  return c.scoreInputs?.profile.layers.map((l) => l.quantiles.buffer as ArrayBuffer) ?? [];
}

/** `result` with `change`, marked for transfer with the change's buffers and `extra` ones. */
export function withChange<T extends object>(
  result: T,
  change: NetworkChange,
  extra: ArrayBuffer[] = [],
): WithChange<T> {
  return Comlink.transfer({ ...result, change }, [...extra, ...changeBuffers(change)]);
}
