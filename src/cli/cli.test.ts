// The command line as users script it: one JSON object on stdout, `{"error"}` + exit 2 on bad
// input. Runs the real bin (bundled core, wasm backend) on slices of the real CIFAR-100 files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_DIR, MODELS_DIR, ORACLES_DIR } from '../test-paths';
import { BIN, cli, json } from './cli-runner.test-helpers';

describe('micronet-lab CLI', () => {
  it('inspect reports records and per-class counts of test.bin', () => {
    const r = cli('inspect', path.join(CIFAR_DIR, 'test.bin'));
    expect(r.code).toBe(0);
    const out = json(r.stdout);
    expect(out.kind).toBe('cifar-100');
    expect(out.records).toBe(10_000);
    const test = (out.splits as Record<string, { fineCounts: number[]; coarseCounts: number[] }>)
      .test!;
    expect(test.fineCounts).toEqual(new Array(100).fill(100));
    expect(test.coarseCounts).toEqual(new Array(20).fill(500));
  });

  it('bad input: {"error"} on stderr, nothing on stdout, exit 2', () => {
    for (const args of [['bogus'], ['inspect', '/no/such/file'], ['inspect', BIN]]) {
      const r = cli(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(json(r.stderr).error).toMatch(/unknown command "bogus"|no such file|not a gzip/);
    }
    const r = cli('eval', '--data', CIFAR_DIR);
    expect(r.code).toBe(2);
    expect(json(r.stderr).error).toBe('missing --model <value>');
  });

  it('train → checkpoint → inspect → eval on real slices (wasm)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-cli-'));
    const out = path.join(dir, 'tiny.safetensors');
    const t = cli(
      'train',
      '--data',
      CIFAR_DIR,
      '--model',
      'tiny',
      '--epochs',
      '1',
      '--limit',
      '256',
      '--batch',
      '64',
      '--out',
      out,
    );
    expect(t.code, t.stderr).toBe(0);
    const tr = json(t.stdout);
    expect(tr).toMatchObject({
      status: 'completed',
      model: 'tiny',
      n: 256,
      steps: 4,
      backend: 'wasm',
    });
    expect(fs.existsSync(out)).toBe(true);

    const i = json(cli('inspect', out).stdout);
    expect(i).toMatchObject({
      kind: 'checkpoint',
      format: 'micronet-lab',
      model: 'tiny',
      params: 30_196,
    });

    const e = cli(
      'eval',
      '--model',
      out,
      '--data',
      path.join(CIFAR_DIR, 'test.bin'),
      '--limit',
      '200',
    );
    expect(e.code, e.stderr).toBe(0);
    const ev = json(e.stdout);
    expect(Object.keys(ev)).toEqual(
      expect.arrayContaining(['top1', 'top5', 'n', 'loss', 'backend', 'imagesPerSecond']),
    );
    expect(ev.n).toBe(200);
    expect(ev.backend).toBe('wasm');
    expect(ev.top1 as number).toBeGreaterThanOrEqual(0);
    expect(ev.top5 as number).toBeGreaterThanOrEqual(ev.top1 as number);
    expect(ev.top5 as number).toBeLessThanOrEqual(1);
    fs.rmSync(dir, { recursive: true });
  });

  it('inspects and evaluates the real OSI-AI .pth (architecture recognised, early exit)', () => {
    const pth = path.join(MODELS_DIR, 'osi-ai-micronet', 'trained_model.pth');
    const i = json(cli('inspect', pth).stdout);
    expect(i).toMatchObject({ kind: 'checkpoint', format: 'torch-legacy', tensors: 245 });
    expect(i.architecture).toBe('osi-micronet');

    const n = 200;
    const r = cli(
      'eval',
      '--model',
      pth,
      '--data',
      path.join(CIFAR_DIR, 'test.bin'),
      '--limit',
      `${n}`,
    );
    expect(r.code, r.stderr).toBe(0);
    const ev = json(r.stdout);
    // Expected figures from PyTorch's golden predictions (label of record r = r mod 100).
    const golden = path.join(ORACLES_DIR, 'osi-ai-micronet', 'golden');
    const main = fs.readFileSync(path.join(golden, 'pred_main.u8')).subarray(0, n);
    const early = fs.readFileSync(path.join(golden, 'pred_earlyexit.u8')).subarray(0, n);
    const exits = fs.readFileSync(path.join(golden, 'exit_mask.u8')).subarray(0, n);
    const acc = (p: Uint8Array) => p.filter((c, r) => c === r % 100).length / n;
    expect(ev.model).toBe('osi-micronet');
    expect(ev.n).toBe(n);
    expect(ev.top1).toBeCloseTo(acc(main), 10);
    expect(ev.top1EarlyExit).toBeCloseTo(acc(early), 10);
    expect(ev.exitRate).toBeCloseTo(exits.reduce((a, b) => a + b, 0) / n, 10);
  });

  it('score: the OSI .pth as imported at its measured exit rate gives the oracle 0.006267', () => {
    const oracle = JSON.parse(
      fs.readFileSync(path.join(ORACLES_DIR, 'micronet-counting.json'), 'utf8'),
    ) as { osi_ai_micronet: { b_checkpoint_sparsity_16_16_32_with_early_exit: { score: number } } };
    const want = oracle.osi_ai_micronet.b_checkpoint_sparsity_16_16_32_with_early_exit.score;
    const pth = path.join(MODELS_DIR, 'osi-ai-micronet', 'trained_model.pth');
    const r = cli('score', '--model', pth, '--exit-rate', '0.2929');
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(Math.abs((out.score as number) - want) / want).toBeLessThan(1e-9);
    expect(out).toMatchObject({ freebie: true, exitRate: 0.2929, model: 'osi-micronet' });
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining(['score', 'paramsM', 'opsM', 'mults', 'adds', 'freebie', 'layers']),
    );
    // 8-bit weights + activations: the freebie goes, params and mults count at 8 bits.
    const q = json(
      cli(
        'score',
        '--model',
        pth,
        '--exit-rate',
        '0.2929',
        '--recipe',
        '{"weightBits":8,"activationBits":8}',
      ).stdout,
    );
    expect(q.freebie).toBe(false);
    expect(q.score as number).toBeLessThan(want);
    expect(q.paramsM as number).toBeLessThan(out.paramsM as number);
  });

  it('score: global sparsity on a zoo net, and recipe errors name the field', () => {
    const dense = json(cli('score', '--model', 'tiny').stdout);
    const half = json(cli('score', '--model', 'tiny', '--recipe', '{"sparsity":0.5}').stdout);
    expect(half.score as number).toBeLessThan(dense.score as number);
    const layers = half.layers as { op: string; sparsity: number; params: number }[];
    const convs = layers.filter((l) => l.op === 'conv2d' || l.op === 'dense');
    const kept = convs.reduce((a, l) => a + l.params * (1 - l.sparsity), 0);
    expect(convs.some((l) => l.sparsity > 0.4)).toBe(true);
    expect(kept).toBeGreaterThan(0);
    const bad = cli('score', '--model', 'tiny', '--recipe', '{"weightBits":40}');
    expect(bad.code).toBe(2);
    expect(json(bad.stderr).error).toBe(
      '--recipe: recipe.weightBits must be an integer in 2–16 or 32, got 40',
    );
  });

  it('analyse: Hessian top eigenvalues, trace, density and K-FAC spectra of a zoo net', () => {
    const r = cli(
      'analyse',
      '--model',
      'tiny',
      '--data',
      path.join(CIFAR_DIR, 'test.bin'),
      '--limit',
      '32',
      '--top-k',
      '2',
      '--steps',
      '8',
      '--probes',
      '1',
    );
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout) as {
      hessian: { top: number[]; trace: number; density: { grid: number[]; values: number[] } };
      layers: { name: string; eigA: number[]; eigG: number[] }[];
      n: number;
    };
    expect(out.n).toBe(32);
    expect(out.hessian.top).toHaveLength(2);
    expect(out.hessian.top[0]!).toBeGreaterThanOrEqual(out.hessian.top[1]!);
    expect(Number.isFinite(out.hessian.trace)).toBe(true);
    expect(out.hessian.density.grid.length).toBe(out.hessian.density.values.length);
    expect(out.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    const conv2 = out.layers[1]!;
    expect(conv2.eigA).toHaveLength(16);
    expect(conv2.eigG).toHaveLength(32);
    expect(conv2.eigA.every((v, i) => i === 0 || v <= conv2.eigA[i - 1]!)).toBe(true);
  });

  it('prune: channel pruning writes a smaller lab checkpoint that inspect and eval read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-prune-'));
    const out = path.join(dir, 'tiny-pruned.safetensors');
    const recipe = '{"prune":{"method":"channels","ratio":0.25}}';
    const r = cli(
      'prune',
      '--model',
      'tiny',
      '--data',
      CIFAR_DIR,
      '--limit',
      '50',
      '--recipe',
      recipe,
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const p = json(r.stdout);
    expect(p).toMatchObject({
      status: 'completed',
      method: 'channels',
      paramsBefore: 30_196,
      n: 50,
    });
    expect(p.params as number).toBeLessThan(30_196);
    expect(json(cli('inspect', out).stdout).params).toBe(p.params);
    const e = cli(
      'eval',
      '--model',
      out,
      '--data',
      path.join(CIFAR_DIR, 'test.bin'),
      '--limit',
      '50',
    );
    expect(e.code, e.stderr).toBe(0);
    expect(json(e.stdout).top1).toBe(p.top1);
    const bad = cli(
      'prune',
      '--model',
      'tiny',
      '--data',
      CIFAR_DIR,
      '--recipe',
      '{}',
      '--out',
      out,
    );
    expect(bad.code).toBe(2);
    expect(json(bad.stderr).error).toMatch(/no "prune" section/);
    fs.rmSync(dir, { recursive: true });
  });
  it('export → inspect → eval → score: a compressed tiny net runs as exported', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-export-'));
    const testBin = path.join(CIFAR_DIR, 'test.bin');
    // weights only (no calibration data needed): the file must predict what eval --recipe measures
    const recipe = '{"weightBits":6,"sparsity":0.5}';
    const out = path.join(dir, 'tiny.mnlc');
    const x = cli('export', '--model', 'tiny', '--recipe', recipe, '--out', out);
    expect(x.code, x.stderr).toBe(0);
    const ex = json(x.stdout);
    expect(ex).toMatchObject({
      out,
      safetensors: path.join(dir, 'tiny.safetensors'),
      recipeFile: path.join(dir, 'tiny.recipe.json'),
      model: 'tiny',
      freebie: false,
    });
    expect(ex.bytes).toBe(fs.statSync(out).size);
    expect(ex.safetensorsBytes).toBe(fs.statSync(ex.safetensors as string).size);
    expect(JSON.parse(fs.readFileSync(ex.recipeFile as string, 'utf8'))).toEqual(
      JSON.parse(recipe),
    );
    const storage = ex.storageBytes as number;
    expect(ex.params32).toBeCloseTo(storage / 4, 9);
    expect(Math.abs((ex.bytes as number) - storage)).toBeLessThanOrEqual(0.01 * storage + 4096);

    const i = json(cli('inspect', out).stdout);
    expect(i).toMatchObject({ kind: 'checkpoint', format: 'micronet-compressed', model: 'tiny' });
    expect(i.params).toBe(30_084); // BN folded: 3 BNs (2·C learnable values each) become C conv biases
    const layers = i.layers as {
      name: string;
      tensors: { name: string; encoding: string; bits: number }[];
    }[];
    expect(layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    expect(layers[1]!.tensors[0]).toMatchObject({
      name: 'conv2.weight',
      encoding: 'sparse',
      bits: 6,
    });
    const totals = i.totals as { fileBytes: number; storageBytes: number };
    expect(totals.fileBytes).toBe(ex.bytes);
    expect(totals.storageBytes).toBeCloseTo(storage, 6);

    const evalArgs = ['--data', testBin, '--limit', '200'];
    const e = cli('eval', '--model', out, ...evalArgs);
    expect(e.code, e.stderr).toBe(0);
    const ev = json(e.stdout);
    expect(ev).toMatchObject({ n: 200, compressed: true, recipe: JSON.parse(recipe) });
    const ref = json(cli('eval', '--model', 'tiny', '--recipe', recipe, ...evalArgs).stdout);
    expect(ev.top1).toBe(ref.top1);
    expect(ev.loss).toBe(ref.loss);

    const sc = json(cli('score', '--model', out).stdout);
    expect(sc.score).toBeCloseTo(ex.score as number, 12);
    expect(sc.recipe).toEqual(JSON.parse(recipe));
    expect(json(cli('inspect', ex.safetensors as string).stdout)).toMatchObject({
      format: 'micronet-lab',
      params: 30_084,
    });

    // activations quantized: calibration on the first 256 training records
    const q = cli(
      'export',
      '--model',
      'tiny',
      '--recipe',
      '{"weightBits":8,"activationBits":8}',
      '--out',
      path.join(dir, 'q.mnlc'),
      '--calibration',
      path.join(CIFAR_DIR, 'train.bin'),
      '--limit',
      '256',
    );
    expect(q.code, q.stderr).toBe(0);
    const qi = json(cli('inspect', path.join(dir, 'q.mnlc')).stdout);
    expect((qi.totals as { activationQuantizers: number }).activationQuantizers).toBe(4);
    const qe = json(cli('eval', '--model', path.join(dir, 'q.mnlc'), ...evalArgs).stdout);
    expect(qe.n).toBe(200);
    const bad = cli('export', '--model', 'tiny', '--recipe', '{"activationBits":8}', '--out', out);
    expect(bad.code).toBe(2);
    expect(json(bad.stderr).error).toMatch(/pass --calibration/);
    fs.rmSync(dir, { recursive: true });
  });
});
