/** Renders benchmark results as BENCHMARKS.md (every figure with backend, machine and date). */
import type { ThroughputResult } from '../src/core/bench/throughput';
import type { DataLoadResult } from './data-load';
import type { MachineInfo } from './machine';
import type { OsiEvalRow } from './osi-eval';

export interface BenchResults {
  machine: MachineInfo;
  browser: string | null;
  dataLoad: DataLoadResult | null;
  node: ThroughputResult[];
  chromium: (ThroughputResult & { note?: string })[];
  chromiumErrors: { backend: string; model: string; error: string }[];
  osiNode: OsiEvalRow[];
  osiChromium: OsiEvalRow[];
  osiErrors: string[];
}

const pct = (x: number | undefined): string =>
  x === undefined ? '—' : `${(100 * x).toFixed(2)} %`;

function osiSection(r: BenchResults): string[] {
  const rows = [...(r.osiNode ?? []), ...(r.osiChromium ?? [])];
  const lines = [
    '## OSI-AI MicroNet checkpoint: evaluation',
    '',
    "The real 80 % MicroNet entry (`../shared/models/osi-ai-micronet/trained_model.pth`, read by the lab's safe .pth reader, architecture recognised) evaluated on the first n CIFAR-100 test records, batch 100. PyTorch (oracle): 80.26 % main, 80.04 % with early exit, 29.29 % exiting, on all 10,000. Target: ≥ 55 images/s on wasm.",
    '',
    '| where | backend | n | top-1 (main) | top-1 (early exit) | exit rate | images/s |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (x) =>
        `| ${x.where} | ${x.backend} | ${x.n} | ${pct(x.top1)} | ${pct(x.top1EarlyExit)} | ${pct(x.exitRate)} | ${f1(x.imagesPerSecond)} |`,
    ),
    '',
  ];
  for (const e of r.osiErrors ?? []) lines.push(`- failed: ${e}`);
  return lines;
}

const f0 = (x: number): string => x.toFixed(0);
const f1 = (x: number): string => x.toFixed(1);

function throughputRows(where: string, rs: BenchResults['node']): string[] {
  return rs.map(
    (r) =>
      `| ${where} | ${r.backend} | ${r.model} | ${r.batchSize} | ${f0(r.trainStepMs)} | ` +
      `${f1(r.trainImagesPerSecond)} | ${f1(r.evalImagesPerSecond)} |`,
  );
}

function tinyTarget(r: BenchResults): string {
  const wasm = r.node.find((x) => x.backend === 'wasm' && x.model === 'tiny');
  if (!wasm) return 'not measured';
  const ok = wasm.trainStepMs <= 600 ? 'meets' : 'misses';
  return `${f0(wasm.trainStepMs)} ms on Node wasm — ${ok} the ≤ 600 ms target`;
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts). Figures are measured, never edited by hand.',
    '',
    `- Date: ${m.date}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}, no GPU`,
    `- Node ${m.node}; tfjs 4.22; browser: ${r.browser ?? 'not run'}`,
    `- Load average when the run started: ${m.loadAverage ?? 'not recorded'} (on ${m.cores} cores; other work slows every figure)`,
    '',
    '## Dataset load (tar.gz → parsed dataset in memory)',
    '',
  ];
  if (r.dataLoad) {
    const d = r.dataLoad;
    lines.push(
      `Full official-layout archive, ${(d.archiveBytes / 1e6).toFixed(1)} MB, ${d.train} train + ${d.test} test records, Node (DecompressionStream + streaming tar reader): ` +
        `median **${d.medianSeconds.toFixed(2)} s** over ${d.seconds.length} runs ` +
        `(${d.seconds.map((s) => s.toFixed(2)).join(', ')} s). Target ≤ 5 s.`,
      '',
    );
  } else lines.push('Not measured.', '');
  lines.push(
    '## Training and evaluation throughput',
    '',
    'Synthetic 32×32×3 batches (speed does not depend on pixel values); a training step is forward + backward + SGD (momentum) update, timed to completion (metrics downloaded every step); median over the timed steps after a warm-up step.',
    '`tiny` is the conv16-32-64 CNN (3×3 convs, BN+ReLU, global pool, fc-100).',
    '',
    `Target — train step of the tiny net at batch 64 on wasm: ${tinyTarget(r)}.`,
    '',
    '| where | backend | model | batch | train step (ms) | train img/s | eval img/s |',
    '|---|---|---|---|---|---|---|',
    ...throughputRows('Node', r.node),
    ...throughputRows('Chromium worker', r.chromium),
    '',
  );
  lines.push(...osiSection(r));
  if (r.chromiumErrors.length > 0) {
    lines.push('Chromium runs that failed:', '');
    for (const e of r.chromiumErrors) lines.push(`- ${e.backend} / ${e.model}: ${e.error}`);
    lines.push('');
  }
  return lines.join('\n');
}
