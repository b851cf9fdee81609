// `sensitivity` and `plan` as users script them (real bin, wasm, real CIFAR-100 records): the
// report round-trips through --out, `plan` prints a recipe `score --recipe` accepts with a score
// under the target, and bad flags give {"error"} + exit 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_DIR } from '../test-paths';
import { cli, json } from './cli-runner.test-helpers';

const TEST_BIN = path.join(CIFAR_DIR, 'test.bin');

describe('micronet-lab sensitivity / plan', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-plan-'));
  const reportFile = path.join(dir, 'report.json');

  it('sensitivity prints the report and --out writes the same', () => {
    const r = cli(
      'sensitivity',
      '--model',
      'tiny',
      '--data',
      TEST_BIN,
      '--limit',
      '32',
      '--bits',
      '2,8',
      '--sparsities',
      '0.5',
      '--out',
      reportFile,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout) as {
      n: number;
      layers: { layer: string; bits: { value: number }[]; secondOrder: unknown[] }[];
    };
    expect(out.n).toBe(32);
    expect(out.layers.map((l) => l.layer)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    expect(out.layers[0]!.bits.map((b) => b.value)).toEqual([2, 8]);
    expect(out.layers[0]!.secondOrder).toHaveLength(15);
    expect(JSON.parse(fs.readFileSync(reportFile, 'utf8'))).toEqual(out);
  });

  it('plan prints a recipe that score accepts, under the target', () => {
    const full = json(cli('score', '--model', 'tiny').stdout).score as number;
    for (const target of [0.7 * full, 0.5 * full]) {
      const p = cli(
        'plan',
        '--model',
        'tiny',
        '--sensitivity',
        reportFile,
        '--target-score',
        String(target),
      );
      expect(p.code, p.stderr).toBe(0);
      expect(p.stderr).toBe('');
      const recipe = json(p.stdout);
      expect(Object.keys(recipe.layerBits as object)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
      const file = path.join(dir, 'r.json');
      fs.writeFileSync(file, p.stdout);
      const s = cli('score', '--model', 'tiny', '--recipe', file);
      expect(s.code, s.stderr).toBe(0);
      expect(json(s.stdout).score as number).toBeLessThanOrEqual(target);
    }
    const e = cli(
      'plan',
      '--model',
      'tiny',
      '--sensitivity',
      reportFile,
      '--target-score',
      String(0.5 * full),
      '--explain',
    );
    expect(json(e.stderr).plan).toMatchObject({ feasible: true });
  });

  it('plan measures a report itself when none is given (activations calibrated on train)', () => {
    const p = cli(
      'plan',
      '--model',
      'tiny',
      '--data',
      CIFAR_DIR,
      '--limit',
      '16',
      '--bits',
      '4',
      '--sparsities',
      '0.5',
      '--hessian-probes',
      '0',
      '--accuracy-floor',
      '0',
      '--recipe',
      '{"activationBits":8}',
    );
    expect(p.code, p.stderr).toBe(0);
    expect(json(p.stdout)).toMatchObject({ activationBits: 8 });
  });

  it('bad flags: {"error"} on stderr, nothing on stdout, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['plan', '--model', 'tiny', '--sensitivity', reportFile], /exactly one of --target-score/],
      [
        ['plan', '--model', 'tiny', '--sensitivity', reportFile, '--target-score', '-1'],
        /--target-score must be a number .* got "-1"/,
      ],
      [
        ['plan', '--model', 'tiny', '--sensitivity', '/no/such.json', '--target-score', '1'],
        /no such file "\/no\/such.json"/,
      ],
      [
        ['plan', '--model', 'tiny', '--sensitivity', reportFile, '--target-score', '1e-9'],
        /no recipe reaches score ≤ 1e-9; the closest scores/,
      ],
      [
        ['sensitivity', '--model', 'tiny', '--data', TEST_BIN, '--bits', '2,x'],
        /--bits must be a comma-separated list of integers in 2–16, got "2,x"/,
      ],
    ];
    for (const [args, want] of cases) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(json(r.stderr).error).toMatch(want);
    }
  });
});
