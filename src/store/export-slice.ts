/**
 * Export slice: the compressed export of the current network under the Score panel's recipe —
 * (a) the compressed checkpoint (bit-packed integers, sparse bitmasks, per-layer exponents, the
 * graph; docs/COMPRESSED_FORMAT.md), (b) a safetensors file of the dequantized weights with the
 * graph in its metadata, (c) the recipe JSON — as three download links, with the file's size
 * next to the storage the score counts. Runs as the 'model' job (progress, cancel).
 */
import type { StateCreator } from 'zustand';
import type { CompressedExportFile, JobProgress } from '../worker/lab-types.ts';
import { callback, errorMessage, getLab, isAbort } from '../worker/lab-client.ts';
import { isWorkerLost } from '../worker/worker-watchdog.ts';
import type { LabState } from './lab-store.ts';

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
}

export interface ExportValues {
  compressedExport: CompressedExportState | null;
  compressedExportError: string | null;
}

export interface ExportActions {
  /** Compresses the current network with the current recipe and offers the three files. */
  exportCompressed: () => Promise<void>;
}

export type ExportSlice = ExportValues & ExportActions;

export const EXPORT_DEFAULT: ExportValues = {
  compressedExport: null,
  compressedExportError: null,
};

function revoke(s: CompressedExportState | null): void {
  for (const l of s?.links ?? []) URL.revokeObjectURL(l.url);
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
    const id = s.beginJob('model', 'Exporting the compressed checkpoint', {
      kind: 'export',
      recipe: s.recipe,
    });
    set({ compressedExportError: null });
    const onProgress = callback((p: JobProgress) => get().reportJob('model', id, p));
    try {
      const r = await getLab().exportCompressed(id, get().recipe, onProgress);
      revoke(get().compressedExport);
      const links = r.files.map(linkOf);
      set({ compressedExport: { links, storageBytes: r.storageBytes } });
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
});
