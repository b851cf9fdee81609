/**
 * The History slice's state and actions (./history-slice.ts): the runs (saved or only in this
 * session), the compare picks, the selected run, the current network's checkpoint link and the
 * restore under way, with their defaults.
 */
import type { RunRecord } from '../persist/history-db';
import type { RecordInput } from './history-runs';

export interface HistoryRun extends RunRecord {
  /** False while the run lives only in this session (its write failed or is under way). */
  saved: boolean;
}

export interface CurrentCheckpoint {
  id: string;
  /** ScoreInputs.networkId of the network saved under `id`. */
  networkId: number;
}

export interface HistoryValues {
  runs: HistoryRun[];
  historyLoaded: boolean;
  /** A failed read / write / restore (StorageError messages as they are). */
  historyError: string | null;
  historyNotice: string | null;
  /** Up to two runs picked for the side-by-side compare (oldest pick first). */
  compareIds: string[];
  /** The run clicked in the scatter or the table. */
  selectedRunId: string | null;
  /** The saved checkpoint of the worker's current network, which edits link to. */
  currentCheckpoint: CurrentCheckpoint | null;
  restoringRunId: string | null;
}

export interface HistoryActions {
  /** Reads every saved run (App's startLab calls it once). */
  loadHistory: () => Promise<void>;
  /** Records a finished run or a finished measurement; never throws (errors go to historyError). */
  recordRun: (input: RecordInput) => Promise<void>;
  /** Writes the runs that exist only in memory again (after freeing space). */
  saveUnsaved: () => Promise<void>;
  toggleCompare: (id: string) => void;
  selectRun: (id: string | null) => void;
  /** Makes the run's network current (when saved) and its recipe the Score panel's. */
  restoreRun: (id: string) => Promise<void>;
  /** Deletes the run, and its checkpoint when no other run uses it. */
  deleteRun: (id: string) => Promise<void>;
  clearHistory: () => Promise<void>;
  dismissHistoryMessage: () => void;
}

export type HistorySlice = HistoryValues & HistoryActions;

export const HISTORY_DEFAULT: HistoryValues = {
  runs: [],
  historyLoaded: false,
  historyError: null,
  historyNotice: null,
  compareIds: [],
  selectedRunId: null,
  currentCheckpoint: null,
  restoringRunId: null,
};
