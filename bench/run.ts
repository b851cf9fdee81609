/**
 * `npm run bench`: dataset load time, and train / eval throughput per backend (Node cpu and wasm;
 * Chromium webgpu, wasm and cpu in the lab's worker). Writes BENCHMARKS.md and
 * .bench-out/results.json. Not a test: nothing here asserts on time.
 * `--only node|browser|data` runs one part (the others are kept from the last results.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { benchDataLoad } from './data-load';
import { machineInfo } from './machine';
import { benchNode } from './node-throughput';
import { OUT_DIR } from './paths';
import { renderReport, type BenchResults } from './report';
import { benchBrowser } from './browser-throughput';

const log = (s: string): void => void process.stderr.write(s + '\n');

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
  };
  if (want('data')) {
    log('dataset load…');
    results.dataLoad = await benchDataLoad(OUT_DIR);
  }
  if (want('node')) results.node = await benchNode(log);
  if (want('browser')) Object.assign(results, await benchBrowser(log));
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  fs.writeFileSync('BENCHMARKS.md', renderReport(results));
  log('wrote BENCHMARKS.md');
}

await main();
