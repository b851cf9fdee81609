/**
 * Data slice: the dataset held by the worker, seen from the main thread as counts, label names
 * and a handful of sample images, plus the IndexedDB cache status and the last load error.
 * A failed load never replaces the previous dataset (the worker keeps it).
 */
import type { StateCreator } from 'zustand';
import type {
  CacheInfo,
  DatasetSummary,
  JobProgress,
  LoadResult,
  SampleImages,
} from '../worker/lab-types';
import { callback, errorMessage, getLab, isAbort } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import type { JobSpec } from './job-spec';
import type { LabState } from './lab-store';

export interface DataValues {
  summary: DatasetSummary | null;
  samples: SampleImages | null;
  cache: CacheInfo | null;
  dataError: string | null;
  dataNotice: string | null;
}

export interface DataActions {
  loadFiles: (files: File[]) => Promise<void>;
  /** Fetches the official archive through the app's same-origin proxy route. */
  downloadArchive: () => Promise<void>;
  /** Restores the dataset cached by an earlier visit, if any. */
  restoreCachedDataset: () => Promise<void>;
  clearCache: () => Promise<void>;
  dismissDataError: () => void;
}

export type DataSlice = DataValues & DataActions;

export const DATA_DEFAULT: DataValues = {
  summary: null,
  samples: null,
  cache: null,
  dataError: null,
  dataNotice: null,
};

export const ARCHIVE_ROUTE = 'download/cifar-100-binary.tar.gz';

export function archiveUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}${ARCHIVE_ROUTE}`, window.location.href).href;
}

/** "500 train and 200 test images" */
export function describeCounts(summary: DatasetSummary): string {
  const parts: string[] = [];
  if (summary.train) parts.push(`${summary.train.count.toLocaleString('en-US')} train`);
  if (summary.test) parts.push(`${summary.test.count.toLocaleString('en-US')} test`);
  return parts.length ? `${parts.join(' and ')} images` : 'no images';
}

type LoadCall = (jobId: string, onProgress: (p: JobProgress) => void) => Promise<LoadResult | null>;

export const createDataSlice: StateCreator<LabState, [], [], DataSlice> = (set, get) => {
  const runLoad = async (
    label: string,
    what: string,
    call: LoadCall,
    spec?: JobSpec,
  ): Promise<void> => {
    if (get().jobs.load) return;
    const id = get().beginJob('load', label, spec);
    set({ dataError: null, dataNotice: null });
    try {
      const result = await call(
        id,
        callback((p: JobProgress) => get().reportJob('load', id, p)),
      );
      if (result) {
        const verb = result.fromCache ? 'Restored' : 'Loaded';
        const counts = describeCounts(result.summary);
        set({
          summary: result.summary,
          samples: result.samples ?? get().samples,
          cache: result.cache,
          dataNotice: [`${verb} ${counts} ${what}.`, result.warning].filter(Boolean).join(' '),
        });
      }
    } catch (err) {
      if (isAbort(err)) set({ dataNotice: 'Loading cancelled; the previous dataset is kept.' });
      else if (!isWorkerLost(err)) set({ dataError: errorMessage(err) });
    } finally {
      get().finishJob('load', id);
    }
  };

  return {
    ...DATA_DEFAULT,
    loadFiles: (files) => {
      if (files.length === 0) return Promise.resolve();
      const names = files.map((f) => f.name).join(', ');
      return runLoad(
        `Reading ${names}`,
        `from ${names}`,
        (id, onProgress) => getLab().loadFiles(id, files, onProgress),
        { kind: 'load', files },
      );
    },
    downloadArchive: () =>
      runLoad(
        'Downloading cifar-100-binary.tar.gz',
        'from the downloaded archive',
        (id, onP) => getLab().download(id, archiveUrl(), onP),
        { kind: 'download' },
      ),
    restoreCachedDataset: async () => {
      try {
        const cache = await getLab().cacheInfo();
        set({ cache });
        if (cache.bytes === 0 || get().summary) return;
      } catch (err) {
        set({ dataError: `Cache unavailable: ${errorMessage(err)}` });
        return;
      }
      await runLoad('Restoring the cached dataset', 'from the browser cache', (id, onProgress) =>
        getLab().restoreCache(id, onProgress),
      );
    },
    clearCache: async () => {
      try {
        const cache = await getLab().clearCache();
        set({ cache, dataNotice: 'Cache cleared; the loaded dataset stays in memory.' });
      } catch (err) {
        set({ dataError: `Could not clear the cache: ${errorMessage(err)}` });
      }
    },
    dismissDataError: () => set({ dataError: null }),
  };
};
