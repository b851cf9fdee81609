/**
 * A small, linearly separable BatchSource for tests and demos: example i has class i mod K and
 * is Gaussian noise plus `signal` added to channel (class mod C) everywhere, so a global-pool
 * network separates the classes within a few steps. Augmentation = seeded horizontal flip.
 */
import { makeRng, randNormal, type Rng } from '../util/rng';
import type { Batch, BatchSource } from './types';

export interface SyntheticSpec {
  size: number;
  numClasses: number;
  /** [H, W, C]; default [8, 8, 3]. */
  imageShape?: [number, number, number];
  seed?: number;
  signal?: number;
}

export interface SyntheticSource extends BatchSource {
  imageShape: [number, number, number];
  /** All labels, by example index. */
  labels: Int32Array;
  /** How many times batch() was called (tests). */
  calls: number;
}

function flipRows(img: Float32Array, h: number, w: number, c: number): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w >> 1; x++) {
      for (let k = 0; k < c; k++) {
        const a = (y * w + x) * c + k;
        const b = (y * w + (w - 1 - x)) * c + k;
        [img[a], img[b]] = [img[b]!, img[a]!];
      }
    }
  }
}

export function syntheticSource(spec: SyntheticSpec): SyntheticSource {
  const [h, w, c] = spec.imageShape ?? [8, 8, 3];
  const per = h * w * c;
  const rng = makeRng(spec.seed ?? 0);
  const signal = spec.signal ?? 2;
  const images = new Float32Array(spec.size * per);
  const labels = Int32Array.from({ length: spec.size }, (_, i) => i % spec.numClasses);
  for (let i = 0; i < spec.size; i++) {
    for (let j = 0; j < per; j++) {
      const onChannel = j % c === labels[i]! % c;
      images[i * per + j] = randNormal(rng) + (onChannel ? signal : 0);
    }
  }
  const source: SyntheticSource = {
    size: spec.size,
    imageShape: [h, w, c],
    labels,
    calls: 0,
    batch(indices: Uint32Array | number[], augment: boolean, r: Rng): Batch {
      source.calls++;
      const x = new Float32Array(indices.length * per);
      const y = new Int32Array(indices.length);
      Array.from(indices).forEach((idx, b) => {
        if (!(idx >= 0 && idx < spec.size))
          throw new Error(`synthetic source: index ${idx} outside [0, ${spec.size})`);
        const img = images.slice(idx * per, (idx + 1) * per);
        if (augment && r() < 0.5) flipRows(img, h, w, c);
        x.set(img, b * per);
        y[b] = labels[idx]!;
      });
      return { x, y };
    },
  };
  return source;
}
