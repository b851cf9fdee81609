/**
 * Export slice: the compressed export of the current network under the Score panel's recipe —
 * (a) the compressed checkpoint (bit-packed integers, sparse bitmasks, per-layer exponents, the
 * graph; docs/COMPRESSED_FORMAT.md), (b) a safetensors file of the dequantized weights with the
 * graph in its metadata, (c) the recipe JSON — as three download links, with the file's size
 * next to the storage the score counts. Runs as the 'model' job (progress, cancel).
 * And "Export for PyTorch": the current network + recipe as the torch job folder the CLI's
 * `export-torch` writes (network, recipe, golden logits, the Python package), in one .zip, also as
 * the 'model' job.
 */
import type { StateCreator } from 'zustand';
import type { CompressedExportFile, JobProgress, TorchExportResult } from '../worker/lab-types';
import { callback, errorMessage, getLab, isAbort } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import { recipeJson } from '../core/recipe/index';
import type { LabState } from './lab-store';

/** One exported file, as an object URL for its download link. */
export interface ExportLink {
  kind: CompressedExportFile['kind'];
  fileName: string;
  url: string;
  bytes: number;
}

export interface CompressedExportState {
  links: ExportLink[];
  /** Parameter storage the score counts for this recipe, in bytes (bits / 8). */
  storageBytes: number;
  /** recipeJson() of the recipe the files were written with. */
  recipeKey: string;
  /** The network they hold (ScoreInputs.networkKey); null when unknown. */
  networkKey: string | null;
}

/** The PyTorch job .zip, as an object URL for its download link. */
export interface TorchExportLink extends Omit<TorchExportResult, 'bytes'> {
  url: string;
  bytes: number;
  /** recipeJson() of the recipe in the zip: compare with the current one to spot a stale file. */
  recipeKey: string;
  /** The network it holds (ScoreInputs.networkKey); null when unknown. */
  networkKey: string | null;
}

export interface ExportValues {
  compressedExport: CompressedExportState | null;
  compressedExportError: string | null;
  torchExport: TorchExportLink | null;
  torchExportError: string | null;
}

export interface ExportActions {
  /** Compresses the current network with the current recipe and offers the three files. */
  exportCompressed: () => Promise<void>;
  /** Writes the current network + recipe as a PyTorch job and offers it as one .zip. */
  exportTorchJob: () => Promise<void>;
}

export type ExportSlice = ExportValues & ExportActions;

export const EXPORT_DEFAULT: ExportValues = {
  compressedExport: null,
  compressedExportError: null,
  torchExport: null,
  torchExportError: null,
};

/** The 'model' job's label for "Export for PyTorch" (CompressedExport's bar follows "Exporting…"). */
export const TORCH_EXPORT_LABEL = 'Writing the PyTorch job';

function revoke(s: CompressedExportState | null): void {
  for (const l of s?.links ?? []) URL.revokeObjectURL(l.url);
}

function torchLinkOf(r: TorchExportResult, networkKey: string | null): TorchExportLink {
  const { bytes, ...rest } = r;
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
  const url = URL.createObjectURL(blob);
  return { ...rest, url, bytes: bytes.length, recipeKey: recipeJson(r.recipe), networkKey };
}

function linkOf(f: CompressedExportFile): ExportLink {
  const blob = new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
  return {
    kind: f.kind,
    fileName: f.fileName,
    url: URL.createObjectURL(blob),
    bytes: f.bytes.length,
  };
}

export const createExportSlice: StateCreator<LabState, [], [], ExportSlice> = (set, get) => ({
  ...EXPORT_DEFAULT,
  exportCompressed: async () => {
    const s = get();
    if (s.jobs.model || s.jobs.train) return;
    await s.cancelMeasurement(); // compressing reads the network a measurement holds
    const recipe = get().recipe;
    const id = s.beginJob('model', 'Exporting the compressed checkpoint', {
      kind: 'export',
      recipe,
    });
    set({ compressedExportError: null });
    const onProgress = callback((p: JobProgress) => get().reportJob('model', id, p));
    try {
      const lab = getLab();
      const r = await lab.exportCompressed(id, recipe, onProgress);
      const networkKey = await Promise.resolve()
        .then(() => lab.networkKey())
        .catch(() => null);
      revoke(get().compressedExport);
      const links = r.files.map(linkOf);
      const recipeKey = recipeJson(recipe);
      set({ compressedExport: { links, storageBytes: r.storageBytes, recipeKey, networkKey } });
    } catch (err) {
      if (isWorkerLost(err)) return; // said by its record
      set({
        compressedExportError: isAbort(err)
          ? 'Export cancelled.'
          : `Export failed: ${errorMessage(err)}`,
      });
    } finally {
      get().finishJob('model', id);
    }
  },
  exportTorchJob: async () => {
    const s = get();
    if (s.jobs.model || s.jobs.train) return;
    await s.cancelMeasurement(); // the export reads the network a measurement holds
    const recipe = s.recipe;
    const id = s.beginJob('model', TORCH_EXPORT_LABEL, { kind: 'export-torch', recipe });
    set({ torchExportError: null });
    const onProgress = callback((p: JobProgress) => get().reportJob('model', id, p));
    try {
      const lab = getLab();
      const r = await lab.exportTorchJob(id, recipe, onProgress);
      const networkKey = await Promise.resolve()
        .then(() => lab.networkKey())
        .catch(() => null);
      const prev = get().torchExport;
      if (prev) URL.revokeObjectURL(prev.url);
      set({ torchExport: torchLinkOf(r, networkKey) });
    } catch (err) {
      if (isWorkerLost(err)) return; // said by its record
      set({
        torchExportError: isAbort(err)
          ? 'Export for PyTorch cancelled.'
          : `Export for PyTorch failed: ${errorMessage(err)}`,
      });
    } finally {
      get().finishJob('model', id);
    }
  },
});
