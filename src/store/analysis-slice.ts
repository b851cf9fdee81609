/**
 * Analysis slice (Spectra panel): the settings of "Analyse" (K-FAC batches × batch size of
 * training records, Hessian records from the test split, top-k), the worker's result (per-layer
 * Kronecker-factor spectra and saliencies, the Hessian's top eigenvalues, trace and density), the
 * layer whose spectra are shown, and whether the result still describes the current network
 * (a prune, training or import makes it stale: eigenbasis pruning then needs a new analysis; every
 * NetworkChange says which analysis still fits, network-slice.ts).
 */
import type { StateCreator } from 'zustand';
import type { AnalyseOptions, AnalysisResult, JobProgress } from '../worker/lab-types';
import { callback, errorMessage, getLab, isAbort } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import type { LabState } from './lab-store';

export interface AnalysisSettings {
  /** K-FAC: batches × batch size training records. */
  kfacBatches: number;
  batchSize: number;
  /** Hessian: the first N test records (0 = skip). */
  hessianRecords: number;
  topK: number;
}

export interface AnalysisValues {
  analysisSettings: AnalysisSettings;
  analysis: AnalysisResult | null;
  analysisError: string | null;
  analysisNotice: string | null;
  /** The layer whose factor spectra the chart shows. */
  spectrumLayer: string | null;
  /** The analysis belongs to an earlier network (pruned, trained or imported since). */
  analysisStale: boolean;
}

export interface AnalysisActions {
  setAnalysisSettings: (patch: Partial<AnalysisSettings>) => void;
  analyse: () => Promise<void>;
  cancelAnalysis: () => Promise<void>;
  selectSpectrumLayer: (name: string) => void;
}

export type AnalysisSlice = AnalysisValues & AnalysisActions;

export const ANALYSIS_SETTINGS_DEFAULT: AnalysisSettings = {
  kfacBatches: 4,
  batchSize: 32,
  hessianRecords: 64,
  topK: 5,
};

export const ANALYSIS_DEFAULT: AnalysisValues = {
  analysisSettings: ANALYSIS_SETTINGS_DEFAULT,
  analysis: null,
  analysisError: null,
  analysisNotice: null,
  spectrumLayer: null,
  analysisStale: false,
};

/** Records loaded per split (null: not loaded). */
export interface SplitCounts {
  train: number | null;
  test: number | null;
}

/** Why these settings cannot run on the loaded data (null: they can). */
export function analysisSettingsError(a: AnalysisSettings, counts: SplitCounts): string | null {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!int(a.kfacBatches, 1))
    return `K-FAC batches must be a whole number ≥ 1 (got ${a.kfacBatches})`;
  if (!int(a.batchSize, 1)) return `Batch size must be a whole number ≥ 1 (got ${a.batchSize})`;
  if (!int(a.hessianRecords, 0))
    return `Hessian records must be a whole number ≥ 0 (got ${a.hessianRecords})`;
  if (!int(a.topK, 1)) return `Top-k must be a whole number ≥ 1 (got ${a.topK})`;
  const kfacSplit = counts.train !== null ? 'train' : 'test';
  const kfacCount = counts.train ?? counts.test;
  if (kfacCount === null) return 'Load the CIFAR-100 data first (train and test splits).';
  const need = a.kfacBatches * a.batchSize;
  if (need > kfacCount)
    return `K-FAC needs ${a.kfacBatches} × ${a.batchSize} = ${need} records; the ${kfacSplit} split has ${kfacCount}.`;
  if (a.hessianRecords > 0 && counts.test === null)
    return 'The Hessian uses the first test records: load the test split (or set 0 records).';
  if (counts.test !== null && a.hessianRecords > counts.test)
    return `The Hessian asks ${a.hessianRecords} test records; the test split has ${counts.test}.`;
  return null;
}

/** The worker options for these settings (Lanczos sizes scaled to top-k). */
export function analyseOptions(a: AnalysisSettings): AnalyseOptions {
  return {
    kfacBatches: a.kfacBatches,
    batchSize: a.batchSize,
    hessianRecords: a.hessianRecords,
    topK: a.topK,
    lanczosSteps: Math.max(12, 3 * a.topK),
    probes: 3,
    densitySteps: 16,
    seed: 0,
  };
}

export function splitCounts(s: LabState): SplitCounts {
  return { train: s.summary?.train?.count ?? null, test: s.summary?.test?.count ?? null };
}

/** The layer to show: the chosen one if it is in the result, else the first. */
function layerToShow(r: AnalysisResult, chosen: string | null): string | null {
  if (chosen && r.layers.some((l) => l.name === chosen)) return chosen;
  return r.layers[0]?.name ?? null;
}

export const createAnalysisSlice: StateCreator<LabState, [], [], AnalysisSlice> = (set, get) => ({
  ...ANALYSIS_DEFAULT,
  setAnalysisSettings: (patch) =>
    set((s) => ({ analysisSettings: { ...s.analysisSettings, ...patch }, analysisError: null })),
  selectSpectrumLayer: (name) => set({ spectrumLayer: name }),
  analyse: async () => {
    const s = get();
    if (s.jobs.analyse || s.jobs.prune || s.jobs.train || s.jobs.model) return;
    const invalid = analysisSettingsError(s.analysisSettings, splitCounts(s));
    if (invalid) {
      set({ analysisError: invalid, analysisNotice: null });
      return;
    }
    await s.cancelMeasurement(); // the analysis reads the network a measurement may hold
    const id = s.beginJob('analyse', `Analysing ${s.network?.name ?? 'the network'}`, {
      kind: 'analyse',
      settings: s.analysisSettings,
    });
    set({ analysisError: null, analysisNotice: null });
    const onProgress = callback((p: JobProgress) => get().reportJob('analyse', id, p));
    try {
      const r = await getLab().analyse(id, analyseOptions(s.analysisSettings), onProgress);
      set((st) => ({
        analysis: r,
        analysisStale: false,
        spectrumLayer: layerToShow(r, st.spectrumLayer),
      }));
    } catch (err) {
      if (isAbort(err)) set({ analysisNotice: 'Analysis cancelled.' });
      else if (!isWorkerLost(err)) set({ analysisError: errorMessage(err) });
    } finally {
      get().finishJob('analyse', id);
    }
  },
  cancelAnalysis: () => get().cancelJob('analyse'),
});
