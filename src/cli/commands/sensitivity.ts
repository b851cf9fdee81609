/**
 * `sensitivity --model <file|zoo name> --data <dir|file> [--limit N] [--batch B] [--bits 2,4,8]
 * [--sparsities 0.1,0.5] [--recipe <json|file>] [--hessian-probes P] [--hessian-batches K]
 * [--seed S] [--out report.json] [--calibration <dir|file>] [--backend wasm|cpu]` → the
 * sensitivity report (core/compress/sensitivity): per layer, loss and top-1 on the first N test
 * records (default 500, the Score panel's slice) with that layer alone at each width / extra
 * sparsity under the base recipe, plus Hutchinson Hessian traces and the second-order estimate
 * (`--hessian-probes 0` skips it). Activation quantizers of the base calibrate on the training
 * split of --data (or --calibration). `--out` also writes the report, for `plan --sensitivity`.
 */
import fs from 'node:fs';
import { explainBackendError } from '../../core/backend/explain-error';
import { measureSensitivity, type SensitivityReport } from '../../core/compress/sensitivity';
import { Network } from '../../core/graph/network';
import { cifarSource } from '../../core/train/cifar-source';
import { numberFlag, optionalFlag, requireFlag, type ParsedArgs } from '../args';
import { calibrationSource } from '../calibration';
import { numberListFlag } from '../list-flag';
import { selectNodeBackend } from '../node-backend';
import { limitSplit, loadDataset, pickSplit } from '../node-files';
import { loadModel, type LoadedModel } from '../node-model';
import { recipeFlag } from '../recipe-flag';

/** Measures the report for `model` on --data (shared with `plan`). */
export async function sensitivityReport(
  args: ParsedArgs,
  model: LoadedModel,
): Promise<{ report: SensitivityReport; backend: string }> {
  const dataPath = requireFlag(args, 'data');
  const batchSize = numberFlag(args, 'batch', 100, { min: 1, max: 4096, integer: true });
  const bits = numberListFlag(
    args,
    'bits',
    (x) => Number.isInteger(x) && x >= 2 && x <= 16,
    'integers in 2–16',
  );
  const sparsities = numberListFlag(args, 'sparsities', (x) => x > 0 && x < 1, 'numbers in (0, 1)');
  const probes = numberFlag(args, 'hessian-probes', 1, { min: 0, max: 100, integer: true });
  const batches = numberFlag(args, 'hessian-batches', 1, { min: 1, max: 100, integer: true });
  const seed = numberFlag(args, 'seed', 0, { min: 0, max: 2 ** 32 - 1, integer: true });
  const base = recipeFlag(args);
  const backend = await selectNodeBackend(
    optionalFlag(args, 'backend'),
    optionalFlag(args, 'threads'),
  );
  const data = await loadDataset(dataPath);
  const test = pickSplit(data, 'test');
  const limit = numberFlag(args, 'limit', Math.min(500, test.count), { min: 1, integer: true });
  const source = cifarSource(limitSplit(test, limit), null);
  const calibration = await calibrationSource(args, model.graph, data, base);
  const net = Network.fromWeights(model.graph, model.weights);
  try {
    const hessian = probes === 0 ? (false as const) : { probes, batches };
    const report = await measureSensitivity(net, {
      source,
      calibration,
      batchSize,
      base,
      bits,
      sparsities,
      hessian,
      seed,
    });
    return { report, backend };
  } catch (e) {
    throw explainBackendError(e, backend);
  } finally {
    net.dispose();
  }
}

export async function sensitivityCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const model = await loadModel(requireFlag(args, 'model'), 0);
  const out = optionalFlag(args, 'out');
  const { report } = await sensitivityReport(args, model);
  if (out !== undefined) fs.writeFileSync(out, JSON.stringify(report) + '\n');
  return { ...report };
}
