// `compress` through the real bin (bundled core, wasm) on a tiny exit-head net and small slices
// of the real CIFAR-100 files: the contract fields, the .mnlc that eval and score read back
// with the same figures, stop → refused without --resume or with another recipe → resumed run
// equal to the straight one, and bad recipes / flags exiting 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exitNetGraph } from '../core/compress/pipeline/pipeline.test-helpers';
import { initWeights } from '../core/graph/params';
import { writeLabCheckpoint } from '../core/io/lab-checkpoint';
import { CIFAR_DIR } from '../test-paths';
import { cli, json } from './cli-runner.test-helpers';

const RECORD = 3074;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-compress-'));
const data = path.join(dir, 'data');
const model = path.join(dir, 'exit.safetensors');
const RECIPE = {
  sparsity: 0.5,
  weightBits: 8,
  activationBits: 8,
  calibrationBatches: 1,
  exitThreshold: 0.02,
  fineTune: { epochs: 1, batchSize: 32, learningRate: 0.01, pruneSteps: 2, qat: true },
};

function compress(out: string, ...extra: string[]) {
  return compressWith(RECIPE, out, ...extra);
}

function compressWith(recipe: object, out: string, ...extra: string[]) {
  return cli(
    'compress',
    ...['--model', model, '--data', data, '--out', out, '--limit', '100'],
    ...['--recipe', JSON.stringify(recipe), '--seed', '3', ...extra],
  );
}

const FIELDS = ['top1', 'top1EarlyExit', 'exitRate', 'score', 'paramsM', 'opsM', 'n', 'seconds'];
let straight: Record<string, unknown> = {};

beforeAll(() => {
  fs.mkdirSync(data);
  for (const [name, n] of [
    ['train.bin', 128],
    ['test.bin', 100],
  ] as const) {
    const fd = fs.openSync(path.join(CIFAR_DIR, name), 'r');
    const buf = Buffer.alloc(n * RECORD);
    fs.readSync(fd, buf, 0, buf.length, 0);
    fs.closeSync(fd);
    fs.writeFileSync(path.join(data, name), buf);
  }
  const graph = exitNetGraph(100, 32);
  fs.writeFileSync(model, writeLabCheckpoint(graph, initWeights(graph, 1)));
});

describe('micronet-lab compress', () => {
  it('prints the contract fields and writes a .mnlc that eval and score read back', () => {
    const out = path.join(dir, 'straight.mnlc');
    const r = compress(out);
    expect(r.code, r.stderr).toBe(0);
    straight = json(r.stdout);
    for (const f of FIELDS) expect(typeof straight[f], f).toBe('number');
    expect(straight).toMatchObject({ n: 100, exitThreshold: 0.02, resumedFrom: null, out });
    expect(r.stderr).toMatch(/compress: fine-tune 2\/2 epoch 1 .* eta /);
    expect(r.stderr).toMatch(/compress: evaluate 100\/100/);
    expect(fs.existsSync(`${out}.ckpt`)).toBe(false);
    const recipeFile = path.join(dir, 'straight.recipe.json');
    expect(JSON.parse(fs.readFileSync(recipeFile, 'utf8'))).toEqual(RECIPE);
    const e = json(cli('eval', '--model', out, '--data', data, '--limit', '100').stdout);
    expect(e).toMatchObject({ compressed: true, exitThreshold: 0.02, n: 100 });
    expect(e.top1).toBeCloseTo(straight.top1 as number, 10);
    expect(e.top1EarlyExit).toBeCloseTo(straight.top1EarlyExit as number, 10);
    expect(e.exitRate).toBeCloseTo(straight.exitRate as number, 10);
    const s = json(cli('score', '--model', out).stdout);
    expect(s.score).toBeCloseTo(straight.score as number, 12);
  });

  it('stops, refuses a run over its checkpoint or another recipe, resumes to the same result', () => {
    const out = path.join(dir, 'resumed.mnlc');
    const ckpt = path.join(dir, 'ck');
    const stop = compress(out, '--checkpoint-dir', ckpt, '--stop-after-step', '1');
    expect(stop.code, stop.stderr).toBe(0);
    expect(json(stop.stdout)).toMatchObject({ status: 'stopped', stepsDone: 1, epochsDone: 0 });
    expect(fs.existsSync(path.join(ckpt, 'run.ckpt'))).toBe(true);
    expect(fs.existsSync(out)).toBe(false);

    const again = compress(out, '--checkpoint-dir', ckpt);
    expect(again.code).toBe(2);
    expect(json(again.stderr).error).toMatch(/holds the checkpoint of an earlier run .*--resume/);
    const other = cli(
      'compress',
      ...['--model', model, '--data', data, '--out', out, '--limit', '100', '--seed', '3'],
      ...['--recipe', JSON.stringify({ ...RECIPE, sparsity: 0.4 }), '--resume'],
      ...['--checkpoint-dir', ckpt],
    );
    expect(other.code).toBe(2);
    expect(other.stdout).toBe('');
    expect(json(other.stderr).error).toMatch(/--resume: .*another recipe/);

    const r = compress(out, '--checkpoint-dir', ckpt, '--resume');
    expect(r.code, r.stderr).toBe(0);
    const resumed = json(r.stdout);
    expect(resumed.resumedFrom).toEqual({ stepsDone: 1, epochsDone: 0 });
    for (const f of FIELDS.filter((f) => f !== 'seconds')) expect(resumed[f], f).toBe(straight[f]);
    const a = fs.readFileSync(path.join(dir, 'straight.mnlc'));
    const b = fs.readFileSync(out);
    expect(b.equals(a)).toBe(true);
    expect(fs.existsSync(ckpt)).toBe(false);
  });

  it('--keep-checkpoint keeps a finished run, which --resume finishes again at another threshold and blend', () => {
    const out = path.join(dir, 'kept.mnlc');
    const first = compress(out, '--keep-checkpoint');
    expect(first.code, first.stderr).toBe(0);
    expect(fs.existsSync(`${out}.ckpt`), first.stderr).toBe(true);
    const r = compressWith({ ...RECIPE, exitThreshold: 0.5, exitBlend: 2 }, out, '--resume');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/compress: fine-tune/); // nothing trained again
    const again = json(r.stdout);
    expect(again).toMatchObject({
      exitThreshold: 0.5,
      exitBlend: 2,
      resumedFrom: { stepsDone: 2, epochsDone: 0 },
    });
    // the .mnlc keeps the blend: eval reproduces the run's early-exit accuracy with it
    const e = json(cli('eval', '--model', out, '--data', data, '--limit', '100').stdout);
    expect(e).toMatchObject({ exitThreshold: 0.5, exitBlend: 2 });
    expect(e.top1EarlyExit).toBeCloseTo(again.top1EarlyExit as number, 10);
    expect(again.top1).toBe(json(first.stdout).top1);
    expect(again.exitRate as number).toBeLessThan(json(first.stdout).exitRate as number);
    expect(fs.existsSync(`${out}.ckpt`)).toBe(false); // removed: no --keep-checkpoint this time
  });

  it('bad recipes and flags exit 2 with an error naming them', () => {
    const out = path.join(dir, 'bad.mnlc');
    const base = ['compress', '--model', model, '--data', data, '--out', out];
    const cases: [string[], RegExp][] = [
      [
        ['--recipe', '{"exitThreshold":0}'],
        /recipe.exitThreshold must be a number in \(0, 1\], got 0/,
      ],
      [['--recipe', '{"fineTune":{"pruneSteps":0}}'], /recipe.fineTune.pruneSteps must be/],
      [['--recipe', '{}', '--limit', '0'], /--limit must be an integer in \[1, .*got "0"/],
      [['--recipe', '{}', '--resume'], /--resume: no checkpoint in .*bad.mnlc.ckpt/],
      [['--recipe', '{}', '--limit', '101'], /--limit 101 exceeds the 100 records/],
    ];
    for (const [extra, message] of cases) {
      const r = cli(...base, ...extra);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(json(r.stderr).error).toMatch(message);
    }
    expect(json(cli('compress', '--model', model).stderr).error).toBe(
      'missing --recipe <json|file>',
    );
  });
});
