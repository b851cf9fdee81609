/**
 * Records slice: the (network, recipe) measure records (./measure-records.ts) every panel's
 * evaluation feeds — Evaluate, the Score panel's measurements, recipe runs — kept in the
 * history database (persist/history-db.ts, `measurements`), so a reload brings them back. The
 * Score panel, History and its Pareto chart read the record of the pair they show.
 */
import type { StateCreator } from 'zustand';
import { getHistoryDb } from '../persist/history-db';
import { StorageError } from '../persist/storage-error';
import { errorMessage } from '../client/lab-client';
import type { LabState } from './lab-store';
import {
  mergeMeasurement,
  recordKey,
  type MeasureInput,
  type MeasureRecord,
} from './measure-records';

export interface RecordsValues {
  records: Record<string, MeasureRecord>;
}

export interface RecordsActions {
  /** Merges a finished measurement into its pair's record and saves it (never throws). */
  addMeasurement: (m: MeasureInput) => Promise<MeasureRecord | null>;
  /** Reads the saved records (loadHistory calls it); records measured meanwhile win. */
  loadRecords: () => Promise<void>;
}

export type RecordsSlice = RecordsValues & RecordsActions;

export const RECORDS_DEFAULT: RecordsValues = { records: {} };

export const createRecordsSlice: StateCreator<LabState, [], [], RecordsSlice> = (set, get) => ({
  ...RECORDS_DEFAULT,
  addMeasurement: async (m) => {
    if (!m.networkKey) return null;
    const record = mergeMeasurement(get().records[recordKey(m.networkKey, m.recipeKey)], m);
    set((s) => ({ records: { ...s.records, [record.key]: record } }));
    try {
      await (await getHistoryDb()).saveMeasurement(record);
    } catch (e) {
      const why = e instanceof StorageError ? e.message : errorMessage(e);
      set({ historyError: `Could not save the measurement of ${m.model}: ${why}` });
    }
    return record;
  },
  loadRecords: async () => {
    try {
      const stored = await (await getHistoryDb()).listMeasurements();
      set((s) => {
        const records: Record<string, MeasureRecord> = {};
        for (const r of stored) records[r.key] = r;
        return { records: { ...records, ...s.records } };
      });
    } catch (e) {
      set({ historyError: `Could not read the saved measurements: ${errorMessage(e)}` });
    }
  },
});
