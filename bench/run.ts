/**
 * `npm run bench`: dataset load time, and train / eval throughput per backend (Node cpu and wasm;
 * Chromium webgpu, wasm and cpu in the lab's worker). Writes BENCHMARKS.md and
 * .bench-out/results.json. Not a test: nothing here asserts on time.
 * Also the OSI-AI MicroNet checkpoint's evaluation (Node wasm/cpu; Chromium wasm/webgpu).
 * The OSI network's logits vs PyTorch's golden ones (Node cpu/wasm; Chromium wasm/webgpu), and the
 * live score's recomputation cost (PyramidNet-272, plain and factorized), and the Score panel's
 * slider drag in Chromium (frames and long tasks on the main thread).
 * `--only data|node|browser|osi|osi-browser|osi-logits|osi-recipe|score|score-drag` runs one part (the others are kept
 * from the last results.json). `--only osi-ptq` (about 25 minutes on 2 cores) and
 * `--only train-speed [--label L] [--threads N] | --add row.json]` (about 3 minutes) write their own sections in
 * place (bench/sections.ts); a full run keeps such sections.
 */
import fs from 'node:fs';
import path from 'node:path';
import { benchDataLoad } from './data-load';
import { machineInfo } from './machine';
import { benchNode } from './node-throughput';
import { OUT_DIR } from './paths';
import { renderReport, type BenchResults } from './report';
import { withBrowserApp } from './browser-app';
import { benchOsiBrowser } from './browser-osi';
import { benchBrowserThroughput } from './browser-throughput';
import { benchOsiNode } from './osi-eval';
import { benchOsiLogitsBrowser, benchOsiLogitsNode, newOsiLogitsResult } from './osi-logits';
import { benchScoreSpeed } from './score-speed';
import { benchOsiRecipes } from './osi-recipe';
import { benchOsiPrune } from './osi-prune';
import { benchHessianOsi } from './hessian-osi';
import { benchScoreDrag } from './browser-score-drag';
import { benchOsiPtq, renderOsiPtq } from './osi-ptq';
import { osiRecovered } from './osi-recovered';
import { keepMarkedSections } from './sections';
import { benchTrainSpeed } from './train-speed';
import { readRowFile, recordTrainSpeed } from './train-speed-report';

const log = (s: string): void => void process.stderr.write(s + '\n');

function argValue(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at > 0 ? process.argv[at + 1] : undefined;
}

function previous(file: string): Partial<BenchResults> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BenchResults>;
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
  // Sections written in place (bench/sections.ts): by name only, nothing else re-rendered.
  if (only === 'osi-ptq-render') return renderOsiPtq();
  if (only === 'osi-recovered') {
    const at = process.argv.indexOf('--add');
    return osiRecovered(at > 0 ? process.argv[at + 1] : undefined);
  }
  if (only === 'train-speed') {
    const add = argValue('--add');
    const row = add
      ? readRowFile(add)
      : await benchTrainSpeed(
          log,
          argValue('--label') ?? 'this commit',
          Number(argValue('--threads') ?? 1),
        );
    recordTrainSpeed(row);
    log('updated BENCHMARKS.md (train-speed)');
    return;
  }
  if (only === 'osi-ptq') {
    await benchOsiPtq(log);
    log('updated BENCHMARKS.md (osi-ptq)');
    return;
  }
  const want = (part: string): boolean => only === undefined || only === part;
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const resultsFile = path.join(OUT_DIR, 'results.json');
  const prev = previous(resultsFile);
  const results: BenchResults = {
    machine: machineInfo(),
    browser: prev.browser ?? null,
    dataLoad: prev.dataLoad ?? null,
    node: prev.node ?? [],
    chromium: prev.chromium ?? [],
    chromiumErrors: prev.chromiumErrors ?? [],
    osiNode: prev.osiNode ?? [],
    osiChromium: prev.osiChromium ?? [],
    osiErrors: prev.osiErrors ?? [],
    osiLogits: prev.osiLogits ?? null,
    scoreSpeed: prev.scoreSpeed ?? null,
    osiRecipe: prev.osiRecipe ?? null,
    osiPrune: prev.osiPrune ?? null,
    hessianOsi: prev.hessianOsi ?? null,
    scoreDrag: prev.scoreDrag ?? null,
  };
  if (want('score')) results.scoreSpeed = benchScoreSpeed(log);
  if (want('data')) {
    log('dataset load…');
    results.dataLoad = await benchDataLoad(OUT_DIR);
  }
  if (want('node')) results.node = await benchNode(log);
  if (want('osi')) results.osiNode = await benchOsiNode(log);
  if (want('osi-recipe')) results.osiRecipe = await benchOsiRecipes(log);
  if (want('osi-prune')) results.osiPrune = await benchOsiPrune(log);
  // About 40 minutes on 2 cores: only when asked for by name.
  if (only === 'hessian-osi') results.hessianOsi = await benchHessianOsi(log);
  const logits = want('osi-logits') ? newOsiLogitsResult() : null;
  if (logits) await benchOsiLogitsNode(log, logits);
  if (want('browser') || want('osi-browser') || want('score-drag') || logits) {
    await withBrowserApp(async (app) => {
      if (want('browser')) Object.assign(results, await benchBrowserThroughput(app, log));
      if (want('osi-browser')) {
        const { rows, errors } = await benchOsiBrowser(app, log);
        results.osiChromium = rows;
        results.osiErrors = errors;
      }
      if (logits) await benchOsiLogitsBrowser(app, log, logits);
      if (want('score-drag')) results.scoreDrag = await benchScoreDrag(app, log);
    });
  }
  if (logits) results.osiLogits = logits;
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  fs.writeFileSync('BENCHMARKS.md', keepMarkedSections('BENCHMARKS.md', renderReport(results)));
  log('wrote BENCHMARKS.md');
}

await main();
// The threaded wasm build's pthread workers (--threads N) would keep the process alive.
process.exit();
