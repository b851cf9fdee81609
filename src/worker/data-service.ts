/**
 * The worker's dataset: loads CIFAR-100 from dropped files, from the archive URL or from the
 * IndexedDB cache, merges new splits over the previous ones (a failed or cancelled load leaves
 * the previous dataset untouched), caches the result and answers summaries / sample images.
 */
import { loadCifarFromFiles, loadCifarFromStream } from '../core/data/load-dataset';
import type { CifarDataset, LoadProgress } from '../core/data/types';
import { clearDataset, loadDataset, readCacheInfo, saveDataset } from '../persist/dataset-cache';
import type { CacheInfo, DatasetSummary, JobProgress, LoadResult, SplitName } from './lab-types';
import { freshSeed, sampleImages } from './sample-images';

export const SAMPLE_COUNT = 24;
const SPLITS: readonly SplitName[] = ['train', 'test'];

type Sources = Partial<Record<SplitName, string>>;
type Report = (p: JobProgress) => void;

function abortIfNeeded(signal: AbortSignal): void {
  if (signal.aborted) throw new DOMException('Load cancelled', 'AbortError');
}

function byteProgress(report: Report, phase: string): (p: LoadProgress) => void {
  return (p) =>
    report({
      phase: p.phase === 'done' ? 'parsed' : phase,
      done: p.bytes,
      total: p.totalBytes,
      unit: 'bytes',
      etaSeconds: p.etaSeconds,
    });
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Which of the dropped files most likely gave `split` (for display only). */
function sourceOf(split: SplitName, names: string[]): string {
  const direct = names.find((n) => baseName(n).toLowerCase().startsWith(split));
  const archive = names.find((n) => /\.(tar|tgz|tar\.gz)$/i.test(n));
  return direct ?? archive ?? names.join(', ');
}

export class DataService {
  private dataset: CifarDataset | null = null;
  private sources: Sources = {};

  get current(): CifarDataset | null {
    return this.dataset;
  }

  summary(): DatasetSummary {
    const ds = this.dataset;
    const split = (name: SplitName) => {
      const s = ds?.[name];
      return s ? { count: s.count, source: this.sources[name] ?? 'unknown' } : null;
    };
    return {
      train: split('train'),
      test: split('test'),
      fineNames: ds?.fineNames ?? [],
      coarseNames: ds?.coarseNames ?? [],
    };
  }

  async loadFiles(files: File[], signal: AbortSignal, report: Report): Promise<LoadResult> {
    if (files.length === 0) throw new Error('no files given');
    const names = files.map((f) => f.name);
    const next = await loadCifarFromFiles(
      files.map((f) => ({ name: f.name, stream: f.stream(), size: f.size })),
      { onProgress: byteProgress(report, 'reading'), signal },
    );
    const sources: Sources = {};
    for (const s of SPLITS) if (next[s]) sources[s] = sourceOf(s, names);
    return this.accept(next, sources, signal, report);
  }

  async download(url: string, signal: AbortSignal, report: Report): Promise<LoadResult> {
    const fileName = baseName(new URL(url).pathname);
    report({ phase: 'connecting', done: 0, total: null, unit: 'bytes', etaSeconds: null });
    let res: Response;
    try {
      res = await fetch(url, { signal });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new Error(
        `Download of ${fileName} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (!res.ok || !res.body) {
      throw new Error(
        `Download of ${fileName} failed: HTTP ${res.status} ${res.statusText}` +
          (res.status >= 500 ? ' (the app server could not reach the dataset host)' : ''),
      );
    }
    const length = Number(res.headers.get('content-length'));
    const next = await loadCifarFromStream(res.body, {
      totalBytes: Number.isFinite(length) && length > 0 ? length : null,
      fileName,
      onProgress: byteProgress(report, 'downloading'),
      signal,
    });
    return this.accept(next, { train: fileName, test: fileName }, signal, report);
  }

  /** Restores the cached dataset; null when the cache is empty. */
  async restore(signal: AbortSignal, report: Report): Promise<LoadResult | null> {
    report({
      phase: 'reading the browser cache',
      done: 0,
      total: null,
      unit: 'bytes',
      etaSeconds: null,
    });
    const cached = await loadDataset();
    abortIfNeeded(signal);
    if (!cached) return null;
    this.dataset = cached.dataset;
    this.sources = cached.sources;
    return { ...this.result(true, null), cache: await readCacheInfo() };
  }

  async cacheInfo(): Promise<CacheInfo> {
    return readCacheInfo();
  }

  async clearCache(): Promise<CacheInfo> {
    await clearDataset();
    return readCacheInfo();
  }

  /** Merges `next` over the current dataset, caches it and returns what the UI shows. */
  private async accept(
    next: CifarDataset,
    nextSources: Sources,
    signal: AbortSignal,
    report: Report,
  ): Promise<LoadResult> {
    abortIfNeeded(signal);
    const prev = this.dataset;
    const merged: CifarDataset = { fineNames: next.fineNames, coarseNames: next.coarseNames };
    const sources: Sources = {};
    for (const s of SPLITS) {
      const split = next[s] ?? prev?.[s];
      if (!split) continue;
      merged[s] = split;
      sources[s] = next[s] ? nextSources[s] : this.sources[s];
    }
    this.dataset = merged;
    this.sources = sources;
    report({
      phase: 'saving to the browser cache',
      done: 0,
      total: null,
      unit: 'bytes',
      etaSeconds: null,
    });
    let warning: string | null = null;
    try {
      await saveDataset(merged, sources);
    } catch (e) {
      warning = `Not cached in the browser: ${e instanceof Error ? e.message : String(e)}.`;
    }
    let cache: CacheInfo;
    try {
      cache = await readCacheInfo();
    } catch {
      cache = { bytes: 0, savedAt: null, trainCount: 0, testCount: 0, usage: null, quota: null };
    }
    return { ...this.result(false, warning), cache };
  }

  private result(fromCache: boolean, warning: string | null): Omit<LoadResult, 'cache'> {
    const ds = this.dataset;
    const which: SplitName | null = ds?.train ? 'train' : ds?.test ? 'test' : null;
    const split = which ? ds?.[which] : undefined;
    return {
      summary: this.summary(),
      samples: which && split ? sampleImages(split, which, SAMPLE_COUNT, freshSeed()) : null,
      fromCache,
      warning,
    };
  }
}
