/**
 * How optimistic is an early-exit setting picked on the test set? For a compressed checkpoint
 * (default the committed recipes/osi-qat-mixed-a9-t0875.mnlc), one pass over the 10,000 test
 * images keeps both heads' softmax per image; then, offline, the early-exit accuracy of every
 * candidate (threshold, blend) — the five tried after training in session 8 by default — and a
 * repeated 2-fold cross-validation of the choice: pick the most accurate candidate on a random
 * half, count the other half (200 random splits, both ways). The settings change neither the
 * weights nor the quantizers, so one checkpoint serves all of them.
 *
 * node scripts/run-bundled.mjs bench/exit-choice-cv.ts [file.mnlc] [--settings '[[0.85,0.2],…]']
 * → one JSON object: per setting {threshold, blend, correct, top1EarlyExit, exitRate}, and
 *   {cvMean, cvP5, cvP95, picks}. About 2–3 minutes on this machine (wasm, one thread).
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectNodeBackend } from '../src/cli/node-backend';
import { loadDataset } from '../src/cli/node-files';
import { loadModelFile } from '../src/cli/node-model';
import { compressedNetwork } from '../src/core/compress/compressed-model';
import { cifarSource } from '../src/core/train/cifar-source';
import { makeRng } from '../src/core/util/rng';
import { CIFAR_DIR } from './paths';

const K = 100;
const DEFAULT_SETTINGS: [number, number][] = [
  [0.85, 0.2],
  [0.85, 0.3],
  [0.85, 0.5],
  [0.875, 0.2],
  [0.875, 0.3],
];

/** Both heads' softmax for every test image: [N·K] each. */
async function softmaxes(file: string) {
  const model = await loadModelFile(file);
  if (!model.compressed) throw new Error(`${file}: not a compressed checkpoint (.mnlc)`);
  const net = compressedNetwork(model.compressed);
  const test = (await loadDataset(CIFAR_DIR)).test;
  if (!test) throw new Error(`${CIFAR_DIR}: no test split`);
  const n = test.fine.length;
  const main = new Float32Array(n * K);
  const exit = new Float32Array(n * K);
  const source = cifarSource(test, null);
  const rng = makeRng(0);
  for (let s = 0; s < n; s += 100) {
    const idx = Array.from({ length: Math.min(100, n - s) }, (_, i) => s + i);
    const b = source.batch(idx, false, rng);
    const [m, e] = tf.tidy(() => {
      const r = net.forward(tf.tensor4d(b.x, [idx.length, 32, 32, 3]), { training: false });
      const ex = r.extra.exit;
      if (!ex) throw new Error(`${file}: the network has no exit head`);
      return [tf.softmax(r.output), tf.softmax(ex)];
    });
    main.set(await m.data(), s * K);
    exit.set(await e.data(), s * K);
    tf.dispose([m, e]);
  }
  net.dispose();
  return { main, exit, labels: Int32Array.from(test.fine) };
}

function argmax(a: Float32Array, o: number, b?: Float32Array, w = 0): number {
  let best = 0;
  let top = -Infinity;
  for (let k = 0; k < K; k++) {
    const v = a[o + k]! + (b ? w * b[o + k]! : 0);
    if (v > top) [top, best] = [v, k];
  }
  return best;
}

type Softmaxes = Awaited<ReturnType<typeof softmaxes>>;

/** Per image, once: the exit head's top probability and its prediction. */
function exitTops(p: Softmaxes): { top: Float32Array; pred: Int32Array } {
  const n = p.labels.length;
  const top = new Float32Array(n);
  const pred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    pred[i] = argmax(p.exit, i * K);
    top[i] = p.exit[i * K + pred[i]!]!;
  }
  return { top, pred };
}

/** Per image: 1 where the early-exit prediction at (threshold, blend) is right; exits. */
function outcome(p: Softmaxes, e: ReturnType<typeof exitTops>, threshold: number, blend: number) {
  const n = p.labels.length;
  const ok = new Uint8Array(n);
  let exits = 0;
  for (let i = 0; i < n; i++) {
    const exitsHere = e.top[i]! > Math.fround(threshold);
    if (exitsHere) exits++;
    const pred = exitsHere
      ? e.pred[i]
      : blend > 0
        ? argmax(p.main, i * K, p.exit, blend)
        : argmax(p.main, i * K);
    ok[i] = pred === p.labels[i] ? 1 : 0;
  }
  return { ok, exitRate: exits / n };
}

function crossValidate(oks: Uint8Array[], labels: string[], reps = 200) {
  const n = oks[0]!.length;
  const rng = makeRng(12345);
  const sum = (ok: Uint8Array, idx: number[]) => idx.reduce((s, i) => s + ok[i]!, 0);
  const scores: number[] = [];
  const picks: Record<string, number> = {};
  for (let rep = 0; rep < reps; rep++) {
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const halves = [perm.slice(0, n / 2), perm.slice(n / 2)] as const;
    let correct = 0;
    for (const [pickOn, countOn] of [halves, [halves[1], halves[0]]] as const) {
      let best = 0;
      oks.forEach((ok, k) => {
        if (sum(ok, pickOn) > sum(oks[best]!, pickOn)) best = k;
      });
      correct += sum(oks[best]!, countOn);
      picks[labels[best]!] = (picks[labels[best]!] ?? 0) + 1;
    }
    scores.push(correct / n);
  }
  scores.sort((a, b) => a - b);
  const at = (q: number) => scores[Math.floor(q * (reps - 1))]!;
  return {
    cvMean: scores.reduce((a, b) => a + b, 0) / reps,
    cvP5: at(0.05),
    cvP95: at(0.95),
    picks,
  };
}

const args = process.argv.slice(2);
const settingsAt = args.indexOf('--settings');
const settings =
  settingsAt >= 0 ? (JSON.parse(args[settingsAt + 1]!) as [number, number][]) : DEFAULT_SETTINGS;
const file =
  args.find((a, i) => !a.startsWith('--') && i !== settingsAt + 1) ??
  'recipes/osi-qat-mixed-a9-t0875.mnlc';
await selectNodeBackend('wasm');
const p = await softmaxes(file);
const tops = exitTops(p);
const results = settings.map(([threshold, blend]) => ({
  threshold,
  blend,
  ...outcome(p, tops, threshold, blend),
}));
const perSetting = results.map((r) => {
  const correct = r.ok.reduce((a, b) => a + b, 0);
  return {
    threshold: r.threshold,
    blend: r.blend,
    correct,
    top1EarlyExit: correct / r.ok.length,
    exitRate: r.exitRate,
  };
});
const cv = crossValidate(
  results.map((r) => r.ok),
  results.map((r) => `${r.threshold}/${r.blend}`),
);
process.stdout.write(JSON.stringify({ file, settings: perSetting, ...cv }) + '\n');
process.exit(); // pthread workers of the threaded wasm build would keep the process alive
