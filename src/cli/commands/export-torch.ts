/**
 * `export-torch --model <file|zoo name> [--recipe <json|file>] --out DIR [--data <dir|test.bin>]
 * [--images N] [--seed S] [--backend cpu|wasm]`: writes the job folder the PyTorch runner
 * (python/micronet_lab_torch) takes — the network as a lab checkpoint, the recipe, the lab's
 * logits on N golden images (default 8: the first test records of --data, else seeded random
 * normal images), job.json, and a copy of the Python package (core/io/torch-job.ts).
 * Golden logits are computed on the cpu backend by default (the reference backend).
 * → { out, files, model, graph, images, imagesSource, pythonPackage, tolerance, commands,
 *   seconds, backend }.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { imagesToNHWC } from '../../core/data/normalize';
import { buildTorchJob, randomGolden, type GoldenInputs } from '../../core/io/torch-job';
import { TORCH_PACKAGE_DIR, torchJobReadme } from '../../core/io/torch-job-zip';
import type { Graph } from '../../core/graph/ir';
import { numberFlag, optionalFlag, requireFlag, UsageError, type ParsedArgs } from '../args';
import { nodeThreads, selectNodeBackend } from '../node-backend';
import { limitSplit, loadDataset, pickSplit } from '../node-files';
import { loadModel } from '../node-model';
import { recipeFlag } from '../recipe-flag';

const PACKAGE = path.join('python', 'micronet_lab_torch');

/** The repo's python/micronet_lab_torch: MICRONET_TORCH_PACKAGE, else searched upward from here. */
export function findTorchPackage(): string | null {
  const env = process.env.MICRONET_TORCH_PACKAGE;
  if (env) return fs.existsSync(path.join(env, '__init__.py')) ? env : null;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, PACKAGE);
    if (fs.existsSync(path.join(candidate, '__init__.py'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function copyPackage(from: string, to: string): void {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => !src.includes('__pycache__') && !src.endsWith('.pyc'),
  });
}

async function goldenInputs(args: ParsedArgs, graph: Graph, n: number): Promise<GoldenInputs> {
  const dataPath = optionalFlag(args, 'data');
  if (dataPath === undefined) return randomGolden(graph, n, numberFlag(args, 'seed', 0));
  const split = limitSplit(pickSplit(await loadDataset(dataPath), 'test'), n);
  const labels = Int32Array.from(split.fine.subarray(0, n));
  const idx = Array.from({ length: n }, (_, i) => i);
  return { x: imagesToNHWC(split, idx), labels, source: `first ${n} test records` };
}

export async function exportTorchCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const out = requireFlag(args, 'out');
  const spec = requireFlag(args, 'model');
  const recipe = recipeFlag(args);
  const n = numberFlag(args, 'images', 8, { min: 1, max: 1000, integer: true });
  const backend = await selectNodeBackend(
    optionalFlag(args, 'backend') ?? 'cpu',
    optionalFlag(args, 'threads'),
  );
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory())
    throw new UsageError(`--out ${out} exists and is not a folder`);
  const started = performance.now();
  const model = await loadModel(spec, numberFlag(args, 'seed', 0, { integer: true }));
  const golden = await goldenInputs(args, model.graph, n);
  const info = {
    zooName: model.zooName,
    exportedFrom: model.source === 'zoo' ? spec : path.basename(spec),
    ...(model.info?.exitRate !== undefined && { exitRate: model.info.exitRate }),
  };
  const job = buildTorchJob({ graph: model.graph, weights: model.weights, recipe, golden, info });
  fs.mkdirSync(out, { recursive: true });
  for (const [name, data] of job.files) fs.writeFileSync(path.join(out, name), data);
  const pkg = findTorchPackage();
  if (pkg) copyPackage(pkg, path.join(out, TORCH_PACKAGE_DIR));
  fs.writeFileSync(path.join(out, 'README.md'), torchJobReadme(pkg !== null));
  return {
    out,
    files: [...job.files.keys(), 'README.md', ...(pkg ? ['micronet_lab_torch/'] : [])],
    model: model.zooName,
    graph: model.graph.name,
    images: n,
    imagesSource: golden.source,
    pythonPackage: pkg,
    tolerance: job.manifest.tolerance,
    commands: job.manifest.commands,
    seconds: (performance.now() - started) / 1000,
    backend,
    threads: nodeThreads(),
  };
}
