/**
 * "OSI: compressed and recovered" (issue 12): rows from `micronet-lab compress` runs on the OSI-AI
 * MicroNet, each on the full test set with early exit and the official score at the measured
 * exit rate, with the time it took and what it ran on. A run takes an hour or more on 2 cores,
 * so the section is not re-measured by `npm run bench`: `--only osi-recovered --add <run.json>`
 * appends the JSON a finished `compress` run wrote (its stdout, plus `recipeFile`, `trainImages`,
 * `machine` added by the caller) and re-renders the section in place (bench/sections.ts).
 */
import fs from 'node:fs';
import { spliceSection } from './sections';

const ROWS_FILE = 'bench/osi-recovered.json';

export interface RecoveredRow {
  /** The recipe file the run used (committed under recipes/). */
  recipeFile: string;
  top1: number;
  top1EarlyExit: number;
  exitRate: number;
  score: number;
  n: number;
  seconds: number;
  /** Training images per epoch (compress --train-limit). */
  trainImages: number;
  /** Where it ran, e.g. "2-core x86, Node wasm, 2026-12-07". */
  machine: string;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;

function render(rows: RecoveredRow[]): string[] {
  return [
    '## OSI: compressed and recovered',
    '',
    'The OSI-AI MicroNet compressed by `micronet-lab compress` (gradual pruning, quantization-aware fine-tuning with the uncompressed network as teacher, final quantization), evaluated on the first n test images with early exit at the recipe threshold; official score at the measured exit rate. "Qualifies" = n = 10,000 and top-1 with early exit ≥ 80.00 %. Rows are recorded from finished runs (`npm run bench -- --only osi-recovered --add run.json`).',
    '',
    '| recipe | train images / epoch | n | top-1 | top-1 early exit | exit rate | score | qualifies | time | machine |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| \`${r.recipeFile}\` | ${r.trainImages.toLocaleString('en')} | ${r.n.toLocaleString('en')} | ${pct(r.top1)} | ${pct(r.top1EarlyExit)} | ${pct(r.exitRate)} | ${r.score.toFixed(6)} | ${r.n === 10_000 && r.top1EarlyExit >= 0.8 ? 'yes' : 'no'} | ${(r.seconds / 60).toFixed(0)} min | ${r.machine} |`,
    ),
    '',
  ];
}

function checkRow(v: unknown): RecoveredRow {
  const r = v as Record<string, unknown>;
  for (const k of ['top1', 'top1EarlyExit', 'exitRate', 'score', 'n', 'seconds', 'trainImages']) {
    if (typeof r[k] !== 'number') throw new Error(`osi-recovered: field ${k} is ${String(r[k])}`);
  }
  for (const k of ['recipeFile', 'machine']) {
    if (typeof r[k] !== 'string') throw new Error(`osi-recovered: field ${k} is ${String(r[k])}`);
  }
  return r as unknown as RecoveredRow;
}

/** Appends a run (when `add` names its JSON) and re-renders the section. */
export function osiRecovered(add: string | undefined): void {
  const rows: RecoveredRow[] = fs.existsSync(ROWS_FILE)
    ? (JSON.parse(fs.readFileSync(ROWS_FILE, 'utf8')) as unknown[]).map(checkRow)
    : [];
  if (add !== undefined) rows.push(checkRow(JSON.parse(fs.readFileSync(add, 'utf8'))));
  fs.writeFileSync(ROWS_FILE, JSON.stringify(rows, null, 2) + '\n');
  spliceSection('BENCHMARKS.md', 'osi-recovered', render(rows));
}
