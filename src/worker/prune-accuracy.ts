/**
 * The one-shot prune's before / after figure: top-1 (with early exit where the network has an
 * exit head) of the current network on the first `images` test records, with the network's
 * content key so the main thread files it in the (network, recipe) records. Null without a test
 * split or with `images` 0. pruneWithAccuracy runs a prune between two such measurements.
 */
import type { CifarDataset } from '../core/data/types';
import { cifarSource } from '../core/train/cifar-source';
import { evaluateNetwork } from '../core/train/evaluate-network';
import type { CurrentNetwork } from './current-network';
import type { JobProgress, PruneOutcome, SliceAccuracy } from './lab-types';

/** Default slice: the Score panel's validation slice. */
export const PRUNE_SLICE_IMAGES = 500;

export async function sliceAccuracy(
  current: CurrentNetwork,
  networkKey: () => Promise<string | null>,
  data: CifarDataset | null,
  o: { images: number; when: string; signal: AbortSignal; report: (p: JobProgress) => void },
): Promise<SliceAccuracy | null> {
  const test = data?.test;
  const net = current.evaluable();
  if (!test || !net || o.images < 1) return null;
  const key = (await networkKey()) ?? '';
  const all = cifarSource(test, null);
  const source = { ...all, size: Math.min(o.images, all.size) };
  const release = current.hold(`measuring the network ${o.when} the prune`);
  try {
    const r = await evaluateNetwork(net, source, {
      batchSize: 100,
      signal: o.signal,
      onProgress: (p) =>
        o.report({
          phase: `top-1 ${o.when} the prune`,
          done: p.done,
          total: p.total,
          unit: 'images',
          etaSeconds: p.etaSeconds,
        }),
    });
    return { top1: r.top1, top1EarlyExit: r.top1EarlyExit ?? null, n: r.n, networkKey: key };
  } finally {
    release();
  }
}

/** `prune()` with top-1 on the same test slice before and after (null when not measurable). */
export async function pruneWithAccuracy(
  at: {
    current: CurrentNetwork;
    networkKey: () => Promise<string | null>;
    data: CifarDataset | null;
  },
  prune: () => Promise<PruneOutcome>,
  o: { images: number; signal: AbortSignal; report: (p: JobProgress) => void },
): Promise<PruneOutcome> {
  const slice = (when: string) => sliceAccuracy(at.current, at.networkKey, at.data, { ...o, when });
  const before = await slice('before');
  const r = await prune();
  const after = before && (await slice('after'));
  return { ...r, accuracy: before && after ? { before, after } : null };
}
