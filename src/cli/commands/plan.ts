/**
 * `plan --model <file|zoo name> (--target-score S | --accuracy-floor A) [--sensitivity
 * report.json | --data <dir|file> [--limit N] …sensitivity flags] [--recipe <json|file>]
 * [--exit-rate R] [--bits-choices 2,4,8] [--sparsity-choices 0,0.25] [--allocation
 * sensitivity|uniform] [--explain]` → the planned recipe itself, one JSON object that
 * `--recipe` accepts (so `plan … > r.json && micronet-lab score --recipe r.json` works): per-layer
 * weight bits and final sparsity targets plus the base recipe's fields, its score under the
 * counting ≤ S. The sensitivity report is read from --sensitivity (as `sensitivity --out` wrote
 * it) or measured on --data. Exit rate as `score` takes it (recorded in a lab checkpoint, else 0).
 * `--explain` writes the predictions ({ plan: { score, predictedTop1, … } }) to stderr. When no
 * recipe meets the target: exit 2, the error naming the closest score.
 */
import fs from 'node:fs';
import { planRecipe, type PlanResult } from '../../core/compress/plan';
import type { SensitivityReport } from '../../core/compress/sensitivity';
import { numberFlag, optionalFlag, requireFlag, UsageError, type ParsedArgs } from '../args';
import { numberListFlag } from '../list-flag';
import { loadModel, type LoadedModel } from '../node-model';
import { recipeFlag } from '../recipe-flag';
import { sensitivityReport } from './sensitivity';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A saved report, checked for the fields the planner reads. */
function readReport(file: string): SensitivityReport {
  if (!fs.existsSync(file)) throw new UsageError(`--sensitivity: no such file "${file}"`);
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--sensitivity: not valid JSON (${(e as Error).message})`);
  }
  const bad = (what: string) => new UsageError(`--sensitivity: "${file}" ${what}`);
  if (!isObject(v) || !isObject(v.base) || !Array.isArray(v.layers) || !isObject(v.recipe))
    throw bad('is not a sensitivity report (needs base, layers, recipe)');
  for (const l of v.layers) {
    if (
      !isObject(l) ||
      typeof l.layer !== 'string' ||
      !Array.isArray(l.bits) ||
      !Array.isArray(l.sparsity)
    )
      throw bad(`has a malformed layer entry: ${JSON.stringify(l).slice(0, 80)}`);
  }
  return v as unknown as SensitivityReport;
}

function targets(args: ParsedArgs): { targetScore?: number; accuracyFloor?: number } {
  const hasT = args.flags.has('target-score');
  const hasF = args.flags.has('accuracy-floor');
  if (hasT === hasF)
    throw new UsageError('give exactly one of --target-score S / --accuracy-floor A');
  return hasT
    ? { targetScore: numberFlag(args, 'target-score', 0, { min: Number.MIN_VALUE }) }
    : { accuracyFloor: numberFlag(args, 'accuracy-floor', 0, { min: 0, max: 1 }) };
}

function exitRateOf(args: ParsedArgs, model: LoadedModel): number | undefined {
  const recorded = typeof model.info?.exitRate === 'number' ? model.info.exitRate : 0;
  const rate = numberFlag(args, 'exit-rate', recorded, { min: 0, max: 1 });
  const hasExit = model.graph.extraOutputs?.exit !== undefined;
  return hasExit || args.flags.has('exit-rate') ? rate : undefined;
}

function explain(p: PlanResult): void {
  const rest: Partial<PlanResult> = { ...p };
  delete rest.recipe; // stdout has it
  process.stderr.write(JSON.stringify({ plan: rest }) + '\n');
}

export async function planCommand(args: ParsedArgs): Promise<Record<string, unknown>> {
  const t = targets(args);
  const file = optionalFlag(args, 'sensitivity');
  const given = args.flags.has('recipe') ? recipeFlag(args) : undefined;
  const allocation = optionalFlag(args, 'allocation') ?? 'sensitivity';
  if (allocation !== 'sensitivity' && allocation !== 'uniform')
    throw new UsageError(`--allocation must be sensitivity or uniform, got "${allocation}"`);
  const bitsChoices = numberListFlag(
    args,
    'bits-choices',
    (x) => Number.isInteger(x) && x >= 2 && x <= 16,
    'integers in 2–16',
  );
  const sparsityChoices = numberListFlag(
    args,
    'sparsity-choices',
    (x) => x >= 0 && x < 1,
    'numbers in [0, 1)',
  );
  const report = file !== undefined ? readReport(file) : undefined;
  const model = await loadModel(requireFlag(args, 'model'), 0);
  const exitRate = exitRateOf(args, model);
  const r = report ?? (await sensitivityReport(args, model)).report;
  const p = planRecipe({
    graph: model.graph,
    weights: model.weights,
    report: r,
    ...t,
    exitRate,
    base: given,
    bitsChoices,
    sparsityChoices,
    allocation,
  });
  if (args.flags.has('explain')) explain(p);
  if (!p.feasible) {
    const want =
      t.targetScore !== undefined
        ? `score ≤ ${t.targetScore}`
        : `predicted top-1 ≥ ${t.accuracyFloor}`;
    throw new Error(
      `plan: no recipe reaches ${want}; the closest scores ${p.score} with predicted top-1 ${p.predictedTop1}`,
    );
  }
  return { ...p.recipe };
}
