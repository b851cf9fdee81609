/**
 * Model slice: the zoo of networks the worker can build (name + parameter count) and the one
 * picked for training; checkpoint import (file or URL) with what the checkpoint held — the new
 * current network comes with the import's NetworkChange (network-slice.ts) —, and export of the
 * current network as a lab checkpoint download. A failed import keeps the previous network.
 */
import type { StateCreator } from 'zustand';
import type {
  CheckpointReport,
  ImportSource,
  JobProgress,
  ModelInfo,
  NetworkInfo,
} from '../worker/lab-types';
import { callback, errorMessage, getLab, isAbort } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import type { LabState } from './lab-store';
import { EXAMPLE_NETWORK_NAME, exampleNetworkUrl } from './example-network';
import { importRun } from './history-runs';

export const DEFAULT_MODEL = 'pyramidnet-bottleneck-20-a48';

/** A finished export: an object URL of the checkpoint Blob, for the download link. */
export interface ExportedFile {
  fileName: string;
  url: string;
  bytes: number;
}

export interface ModelValues {
  models: ModelInfo[];
  modelName: string;
  modelError: string | null;
  /** What the last imported checkpoint held (also when no architecture fitted it). */
  checkpoint: CheckpointReport | null;
  importUrl: string;
  importError: string | null;
  importNotice: string | null;
  exported: ExportedFile | null;
  exportError: string | null;
}

export interface ModelActions {
  fetchModels: () => Promise<void>;
  setModelName: (name: string) => void;
  importFile: (file: File) => Promise<void>;
  setImportUrl: (url: string) => void;
  importFromUrl: () => Promise<void>;
  /** Imports the bundled example (OSI-AI MicroNet) through the URL import. */
  loadExampleNetwork: () => Promise<void>;
  cancelImport: () => Promise<void>;
  /** Saves the current network as `<name>.safetensors` (a lab checkpoint). */
  exportNetwork: () => Promise<void>;
  dismissImportError: () => void;
}

export type ModelSlice = ModelValues & ModelActions;

export const MODEL_DEFAULT: ModelValues = {
  models: [],
  modelName: DEFAULT_MODEL,
  modelError: null,
  checkpoint: null,
  importUrl: '',
  importError: null,
  importNotice: null,
  exported: null,
  exportError: null,
};

/** Clicks a temporary `<a download>` so the browser saves the file. */
function saveFile(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
}

function importedText(r: CheckpointReport, net: NetworkInfo): string {
  const exit = net.extraOutputs.includes('exit') ? ' with an early-exit head' : '';
  const compressed = net.compressedRecipe
    ? ' (compressed checkpoint: it runs with its stored quantizers; its recipe is now the Score panel’s)'
    : '';
  return `Imported ${r.fileName}: ${net.name}${exit}${compressed}. It is now the current network.`;
}

export const createModelSlice: StateCreator<LabState, [], [], ModelSlice> = (set, get) => {
  const runImport = async (label: string, source: ImportSource): Promise<void> => {
    const s = get();
    if (s.jobs.model || s.jobs.train || s.jobs.evaluate) return;
    await s.cancelMeasurement(); // the import replaces the network a measurement is reading
    const id = s.beginJob('model', label, { kind: 'import', source });
    set({ importError: null, importNotice: null, exportError: null });
    const onProgress = callback((p: JobProgress) => get().reportJob('model', id, p));
    try {
      const { report, network, change } = await getLab().importCheckpoint(id, source, onProgress);
      get().applyNetworkChange(change);
      if (network) {
        const prev = get().exported;
        if (prev) URL.revokeObjectURL(prev.url);
        set({
          checkpoint: report,
          importNotice: importedText(report, network),
          exported: null,
          // The last evaluation belonged to the previous network.
          evalResult: null,
          evalNotice: null,
          evalError: null,
        });
        // A compressed checkpoint carries its recipe: the Score panel shows and scores it.
        if (network.compressedRecipe) get().setRecipe(network.compressedRecipe);
        void get().recordRun(importRun(report, network));
      } else {
        set({
          checkpoint: report,
          importError:
            `${report.fileName}: no known architecture fits its ${report.tensorCount} tensors, ` +
            `so the current network is unchanged. ${report.unrecognized ?? ''}`.trim(),
        });
      }
    } catch (err) {
      if (isAbort(err))
        set({ importNotice: 'Import cancelled; the current network is unchanged.' });
      else if (!isWorkerLost(err))
        set({ importError: `${errorMessage(err)} — the current network is unchanged.` });
    } finally {
      get().finishJob('model', id);
    }
  };

  return {
    ...MODEL_DEFAULT,
    fetchModels: async () => {
      try {
        const models = await getLab().listModels();
        const current = get().modelName;
        const keep = models.some((m) => m.name === current);
        set({ models, modelError: null, modelName: keep ? current : (models[0]?.name ?? current) });
      } catch (err) {
        set({ modelError: `Could not list the model zoo: ${errorMessage(err)}` });
      }
    },
    setModelName: (name) => set({ modelName: name }),
    importFile: (file) => runImport(`Importing ${file.name}`, { kind: 'file', file }),
    setImportUrl: (url) => set({ importUrl: url }),
    importFromUrl: () => {
      const url = get().importUrl.trim();
      if (url === '') {
        set({ importError: 'Enter the URL of a .pth, .pt or .safetensors file first.' });
        return Promise.resolve();
      }
      return runImport(`Importing ${url}`, { kind: 'url', url });
    },
    loadExampleNetwork: () =>
      runImport(`Loading the example network (${EXAMPLE_NETWORK_NAME})`, {
        kind: 'url',
        url: exampleNetworkUrl(),
      }),
    cancelImport: () => get().cancelJob('model'),
    exportNetwork: async () => {
      set({ exportError: null });
      try {
        const r = await getLab().exportCheckpoint();
        const prev = get().exported;
        if (prev) URL.revokeObjectURL(prev.url);
        const blob = new Blob([r.bytes as Uint8Array<ArrayBuffer>], {
          type: 'application/octet-stream',
        });
        const url = URL.createObjectURL(blob);
        set({ exported: { fileName: r.fileName, url, bytes: r.bytes.length } });
        saveFile(url, r.fileName);
      } catch (err) {
        set({ exportError: `Export failed: ${errorMessage(err)}` });
      }
    },
    dismissImportError: () => set({ importError: null }),
  };
};
