/**
 * BENCHMARKS.md section "Training and second-order speed" (issue 13): rows of bench/train-speed.ts
 * runs kept in bench/train-speed.json (a row per label, e.g. the code before and after a change,
 * each measured on this machine), rendered in place (bench/sections.ts).
 * `--only train-speed [--label L]` measures and records a row; `--add run.json` records a row
 * measured elsewhere (e.g. by the same bench file in a worktree of an older commit).
 */
import fs from 'node:fs';
import { spliceSection } from './sections';
import type { KernelTime, TrainSpeedRow } from './train-speed';

const ROWS_FILE = 'bench/train-speed.json';

function readRows(): TrainSpeedRow[] {
  return fs.existsSync(ROWS_FILE)
    ? (JSON.parse(fs.readFileSync(ROWS_FILE, 'utf8')) as TrainSpeedRow[])
    : [];
}

const kernels = (ks: KernelTime[]): string =>
  ks.map((k) => `${k.name} ${k.ms.toFixed(0)} ms (${k.calls}×)`).join(', ');

const qat = (r: TrainSpeedRow): string =>
  r.qatImagesPerSecond === undefined
    ? 'not measured'
    : r.qatImagesPerSecond.toFixed(1) +
      (r.qatFusedImagesPerSecond === undefined
        ? ''
        : ` (a fused JS kernel, tried: ${r.qatFusedImagesPerSecond.toFixed(1)})`);

/** PyTorch's ratios from the same run: train ÷ eval; grad + HVP (separate / one pass) ÷ eval. */
const torchCell = (r: TrainSpeedRow): string => {
  const t = r.torch;
  if (!t) return 'not measured';
  if ('skipped' in t) return `not run (${t.skipped})`;
  const evalIps = 1000 / t.eval1000Seconds;
  const f = (x: number) => x.toFixed(2);
  return `${evalIps.toFixed(1)} img/s; train ${f(t.trainImagesPerSecond / evalIps)}; grad + HVP ${f(t.gradHvp64Seconds / t.eval1000Seconds)} (one pass ${f(t.hvp64OnePassSeconds / t.eval1000Seconds)})`;
};

function render(rows: TrainSpeedRow[]): string[] {
  const f = (x: number, d = 1) => x.toFixed(d);
  return [
    '## Training and second-order speed (OSI-AI MicroNet, Node wasm)',
    '',
    "`npm run bench -- --only train-speed` (bench/train-speed.ts): in one run, the lab's evaluation of 1,000 test images (batch 100) is the yardstick; training at batch 32 on real training images with augmentation (automatic micro-batches); one gradient plus one exact HVP on 64 test images (passes of 16); the fine-tuning step of `compress` (QAT with frozen folded BN + distillation + exit head, recipes/osi-qat-mixed-aug-cosine.json, batch 32) Targets: train/eval ≥ 0.30 (PyTorch on this CPU: 0.6–0.7); gradient + HVP on 64 ≤ eval of 1,000 (PyTorch: about 0.55×). PyTorch column (bench/torch-speed.py, since session 9): Debian's python3-torch on the same network (exported with `export-torch`, run by the lab's PyTorch runner), images and thread count, measured right after the lab's figures in the same run; its grad + HVP as the lab's (a separate gradient pass, then one double-backprop pass per batch of 16), in brackets without the separate gradient (the gradient comes with the HVP's first backward). Threads: the wasm backend's XNNPACK pool (`--threads N`; Node loads tfjs's threaded build through src/cli/wasm-threads.ts since session 8; earlier rows ran single-threaded), used by every part of the row. The machine is shared: the load average at the start is given; compare ratios within a row.",
    '',
    '| code | date | load | threads | eval img/s | train img/s (micro-batch) | train / eval | grad + HVP on 64, cold / warm | ÷ eval of 1,000 (warm) | QAT + distillation img/s | PyTorch, same run: eval; train ÷ eval; grad + HVP ÷ eval of 1,000 |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.date} | ${r.loadAverage} | ${r.threads ?? 1} | ${f(r.evalImagesPerSecond)} | ${f(r.trainImagesPerSecond)} (${r.microBatch}) | ${f(r.trainImagesPerSecond / r.evalImagesPerSecond, 3)} | ${f(r.gradHvp64ColdSeconds)} s / ${f(r.gradHvp64WarmSeconds)} s | ${f(r.gradHvp64WarmSeconds / r.eval1000Seconds, 2)} | ${qat(r)} | ${torchCell(r)} |`,
    ),
    '',
    'Top kernels (tf.profile; a composite kernel includes the kernels it calls):',
    '',
    ...rows.flatMap((r) => [
      `- ${r.label}, one training pass of 8 images: ${kernels(r.trainKernels)}.`,
      `- ${r.label}, gradient + one HVP on 16 images: ${kernels(r.hvpKernels)}.`,
    ]),
    '',
  ];
}

/** Adds (or replaces, by label) a row and re-renders the section. */
export function recordTrainSpeed(row: TrainSpeedRow | undefined, file = 'BENCHMARKS.md'): void {
  const rows = readRows().filter((r) => !row || r.label !== row.label);
  if (row) rows.push(row);
  fs.writeFileSync(ROWS_FILE, JSON.stringify(rows, null, 2) + '\n');
  spliceSection(file, 'train-speed', render(rows));
}

export function readRowFile(file: string): TrainSpeedRow {
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as TrainSpeedRow;
  for (const k of ['evalImagesPerSecond', 'trainImagesPerSecond', 'gradHvp64WarmSeconds'] as const)
    if (typeof r[k] !== 'number')
      throw new Error(`train-speed row ${file}: ${k} is ${String(r[k])}`);
  return r;
}
