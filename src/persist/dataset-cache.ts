/**
 * Caches the parsed CIFAR-100 dataset in IndexedDB (raw API, no library) so a reload restores it
 * without downloading again. Layout: object store `dataset`, keys `meta` (names, counts, sources,
 * time) and `train` / `test` (images, labels). Only one dataset is cached; saving replaces it.
 */
import type { CifarDataset, CifarSplit } from '../core/data/types';
import { ownBuffer } from '../core/util/own-buffer';
import type { CacheInfo, SplitName } from '../protocol/data';

const DB_NAME = 'micronet-lab';
const DB_VERSION = 1;
const STORE = 'dataset';
const SPLITS: readonly SplitName[] = ['train', 'test'];

interface CachedMeta {
  savedAt: string;
  fineNames: string[];
  coarseNames: string[];
  splits: Partial<Record<SplitName, { count: number; source: string; bytes: number }>>;
}

export interface CachedDataset {
  dataset: CifarDataset;
  sources: Partial<Record<SplitName, string>>;
  savedAt: string;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

let dbPromise: Promise<IDBDatabase> | null = null;

function openDb(): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') {
    return Promise.reject(new Error('IndexedDB is not available in this browser'));
  }
  dbPromise ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error(`cannot open IndexedDB '${DB_NAME}'`));
    req.onblocked = () => reject(new Error(`IndexedDB '${DB_NAME}' is blocked by another tab`));
  }).catch((e: unknown) => {
    dbPromise = null;
    throw e;
  });
  return dbPromise;
}

function splitBytes(s: CifarSplit): number {
  return s.images.byteLength + s.coarse.byteLength + s.fine.byteLength;
}

export async function saveDataset(
  ds: CifarDataset,
  sources: Partial<Record<SplitName, string>>,
): Promise<void> {
  const db = await openDb();
  const tx = db.transaction(STORE, 'readwrite');
  const store = tx.objectStore(STORE);
  const meta: CachedMeta = {
    savedAt: new Date().toISOString(),
    fineNames: ds.fineNames,
    coarseNames: ds.coarseNames,
    splits: {},
  };
  for (const name of SPLITS) {
    const s = ds[name];
    if (!s) {
      store.delete(name);
      continue;
    }
    store.put(
      {
        images: ownBuffer(s.images),
        coarse: ownBuffer(s.coarse),
        fine: ownBuffer(s.fine),
        count: s.count,
      },
      name,
    );
    meta.splits[name] = {
      count: s.count,
      source: sources[name] ?? 'unknown',
      bytes: splitBytes(s),
    };
  }
  store.put(meta, 'meta');
  await done(tx);
}

function isSplit(v: unknown): v is CifarSplit {
  const s = v as CifarSplit | undefined;
  return (
    !!s &&
    s.images instanceof Uint8Array &&
    s.fine instanceof Uint8Array &&
    s.coarse instanceof Uint8Array &&
    s.images.length === s.count * 3072 &&
    s.fine.length === s.count
  );
}

/** The cached dataset, or null when none (or when the cache is unreadable/inconsistent). */
export async function loadDataset(): Promise<CachedDataset | null> {
  const db = await openDb();
  const tx = db.transaction(STORE, 'readonly');
  const store = tx.objectStore(STORE);
  const [meta, train, test] = await Promise.all([
    request(store.get('meta')) as Promise<CachedMeta | undefined>,
    request(store.get('train')) as Promise<unknown>,
    request(store.get('test')) as Promise<unknown>,
  ]);
  if (!meta) return null;
  const dataset: CifarDataset = { fineNames: meta.fineNames, coarseNames: meta.coarseNames };
  const sources: Partial<Record<SplitName, string>> = {};
  for (const [name, value] of [
    ['train', train],
    ['test', test],
  ] as const) {
    if (!meta.splits[name]) continue;
    if (!isSplit(value)) throw new Error(`the cached ${name} split is damaged; clear the cache`);
    dataset[name] = value;
    sources[name] = meta.splits[name].source;
  }
  return { dataset, sources, savedAt: meta.savedAt };
}

export async function clearDataset(): Promise<void> {
  const db = await openDb();
  const tx = db.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).clear();
  await done(tx);
}

async function estimate(): Promise<{ usage: number | null; quota: number | null }> {
  try {
    const e = await navigator.storage.estimate();
    return { usage: e.usage ?? null, quota: e.quota ?? null };
  } catch {
    return { usage: null, quota: null };
  }
}

export async function readCacheInfo(): Promise<CacheInfo> {
  const db = await openDb();
  const tx = db.transaction(STORE, 'readonly');
  const meta = (await request(tx.objectStore(STORE).get('meta'))) as CachedMeta | undefined;
  const { usage, quota } = await estimate();
  const train = meta?.splits.train;
  const test = meta?.splits.test;
  return {
    bytes: (train?.bytes ?? 0) + (test?.bytes ?? 0),
    savedAt: meta?.savedAt ?? null,
    trainCount: train?.count ?? 0,
    testCount: test?.count ?? 0,
    usage,
    quota,
  };
}
