/**
 * `--only osi-ptq`: "OSI: post-training compression" (issue 11) — the OSI-AI MicroNet under
 * post-training recipes on all 10,000 CIFAR-100 test images (Node wasm), no fine-tuning: 8/8
 * bits per tensor vs per channel, SigmaMax vs MSE exponents, zero-point activations, and the
 * planner's recipes under target scores (read from recipes/osi-ptq-*.json, made by `plan`).
 * Each row: top-1, top-1 with early exit (threshold 0.85), the exit rate measured with the
 * recipe, the official score at that exit rate, whether it qualifies (early-exit top-1 ≥ 80.00 %
 * on the full test set) and the wall time. The section is spliced into BENCHMARKS.md between
 * its markers, so it survives a machine without .bench-out/results.json.
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import { evaluateRecipe } from '../src/core/compress/apply-recipe';
import { scoreModel } from '../src/core/compress/score-model';
import { Network } from '../src/core/graph/network';
import { modelFromCheckpoint } from '../src/core/models/model-from-checkpoint';
import { validateRecipe, type Recipe } from '../src/core/recipe';
import { cifarSource } from '../src/core/train/cifar-source';
import { machineInfo } from './machine';
import { startNodeBackend } from './node-throughput';
import { OSI_PTH } from './osi-eval';
import { firstRecords } from './records';
import { spliceSection } from './sections';

const IMAGES = 10_000;
const PER_CHANNEL: Recipe = { weightGranularity: 'channel', quantMethod: 'mse' };

const FIXED: { label: string; recipe: Recipe }[] = [
  { label: 'unmodified (float, 16-bit freebie)', recipe: {} },
  { label: '8/8, per tensor, SigmaMax (the seed)', recipe: { weightBits: 8, activationBits: 8 } },
  {
    label: '8/8, per tensor, MSE',
    recipe: { weightBits: 8, activationBits: 8, quantMethod: 'mse' },
  },
  {
    label: '8/8, per channel, SigmaMax',
    recipe: { weightBits: 8, activationBits: 8, weightGranularity: 'channel' },
  },
  { label: '8/8, per channel, MSE', recipe: { weightBits: 8, activationBits: 8, ...PER_CHANNEL } },
  {
    label: '8/8, per channel, MSE, activation zero points',
    recipe: { weightBits: 8, activationBits: 8, ...PER_CHANNEL, activationZeroPoint: true },
  },
  {
    label: '8-bit weights per channel, MSE; activations float',
    recipe: { weightBits: 8, ...PER_CHANNEL },
  },
];

/** Planner recipes committed under recipes/ (label from the file name). */
function plannedRecipes(): { label: string; file?: string; recipe: Recipe }[] {
  if (!fs.existsSync('recipes')) return [];
  return fs
    .readdirSync('recipes')
    .filter((f) => /^osi-ptq-plan-.*\.json$/.test(f))
    .sort()
    .map((f) => ({
      label: `planner: \`recipes/${f}\``,
      file: `recipes/${f}`,
      recipe: validateRecipe(JSON.parse(fs.readFileSync(`recipes/${f}`, 'utf8'))),
    }));
}

interface Row {
  label: string;
  /** Where the recipe came from when it is a file (shown instead of its JSON). */
  file?: string;
  recipe: Recipe;
  top1: number;
  top1EarlyExit: number;
  exitRate: number;
  score: number;
  seconds: number;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
/** A planner recipe (per-layer bits) is too long for a table cell: its file stands for it. */
const jsonCell = (x: Row): string =>
  x.file || x.label.startsWith('planner')
    ? 'per-layer, in the file'
    : `\`${JSON.stringify(x.recipe)}\``;
const ROWS_FILE = '.bench-out/osi-ptq.json';

/** Re-renders the section from the rows the last run recorded (no measuring). */
export function renderOsiPtq(): void {
  const saved = JSON.parse(fs.readFileSync(ROWS_FILE, 'utf8')) as {
    date: string;
    load: number | null;
    rows: Row[];
  };
  spliceSection('BENCHMARKS.md', 'osi-ptq', render(saved.rows, saved.date, saved.load));
}

function render(rows: Row[], date: string, load: number | null): string[] {
  return [
    '## OSI: post-training compression',
    '',
    `The OSI-AI MicroNet (\`../shared/models/osi-ai-micronet\`) under post-training recipes, no fine-tuning, on **all ${IMAGES.toLocaleString('en')} CIFAR-100 test images** (Node wasm); activation quantizers calibrated on 8 batches of 64 training records; early exit at threshold 0.85; official score at the exit rate measured with the recipe (docs/COUNTING.md: per-channel exponents count as 8-bit values). "Qualifies" = top-1 with early exit ≥ 80.00 %. \`npm run bench -- --only osi-ptq\`.`,
    '',
    `Measured ${date} on wasm; load average ${load?.toFixed(1) ?? '?'} when the section started.`,
    '',
    'Planner rows: `plan --target-score S --exit-rate 0.2929` (the float network\'s exit rate) from a `sensitivity --limit 128` report whose base is 8-bit MSE activations and per-channel MSE weights, with the base `{"activationBits":8,"weightGranularity":"channel","quantMethod":"mse","activationZeroPoint":true}`. Quantization lowers the exit rate these rows measure, so their score lands above S; `--exit-rate 0` plans for the worst case (every image runs the full path) and holds at any exit rate.',
    '',
    '| recipe | JSON | top-1 | top-1 early exit | exit rate | score | qualifies | seconds |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (x) =>
        `| ${x.label} | ${jsonCell(x)} | ${pct(x.top1)} | ${pct(x.top1EarlyExit)} | ${pct(x.exitRate)} | ${x.score.toFixed(6)} | ${x.top1EarlyExit >= 0.8 ? 'yes' : 'no'} | ${x.seconds.toFixed(0)} |`,
    ),
    '',
  ];
}

export async function benchOsiPtq(log: (s: string) => void): Promise<void> {
  const m = machineInfo();
  await startNodeBackend('wasm');
  const model = await modelFromCheckpoint(new Uint8Array(fs.readFileSync(OSI_PTH)), OSI_PTH);
  const source = cifarSource(firstRecords('test.bin', IMAGES), null);
  const calibration = cifarSource(firstRecords('train.bin', 2000), null);
  const net = Network.fromWeights(model.graph, model.weights);
  const rows: Row[] = [];
  try {
    for (const { label, recipe } of [...FIXED, ...plannedRecipes()] as Row[]) {
      log(`OSI post-training: ${label}…`);
      const t0 = performance.now();
      const r = await evaluateRecipe(net, recipe, { source, calibration, batchSize: 100 });
      const seconds = (performance.now() - t0) / 1000;
      const exitRate = r.exitRate ?? 0;
      const s = scoreModel(model.graph, model.weights, recipe, { exitRate });
      const row = {
        label,
        recipe,
        top1: r.top1,
        top1EarlyExit: r.top1EarlyExit ?? r.top1,
        exitRate,
        score: s.score,
        seconds,
      };
      log(`  ${JSON.stringify(row)}`);
      rows.push(row);
      fs.mkdirSync('.bench-out', { recursive: true });
      fs.writeFileSync(
        ROWS_FILE,
        JSON.stringify({ date: m.date, load: m.loadAverage ?? null, rows }),
      );
      spliceSection('BENCHMARKS.md', 'osi-ptq', render(rows, m.date, m.loadAverage ?? null));
    }
  } finally {
    net.dispose();
    tf.disposeVariables();
  }
}
