// `export-torch` and the round trip through PyTorch: the lab writes a job folder, the Python
// package checks it against the lab's golden logits, trains it with 2 gloo processes on real
// CIFAR-100 images, and the lab imports and evaluates the result (and runs it to the same logits).
// The PyTorch parts skip with a warning when no python3 has torch (CI installs python3-torch).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabCheckpoint } from '../core/io/lab-checkpoint';
import { readSafetensors } from '../core/io/safetensors';
import { goldenOutputs } from '../core/io/torch-job';
import { lastJson, PYTHON_DIR, runPython, TORCH_PYTHON } from '../core/io/torch-job.test-helpers';
import { CIFAR_DIR, MODELS_DIR } from '../test-paths';
import { cli, json } from './cli-runner.test-helpers';

const OSI = path.join(MODELS_DIR, 'osi-ai-micronet', 'trained_model.pth');

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-export-torch-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('micronet-lab export-torch', () => {
  it('is in the usage string; bad input is {"error"} + exit 2', () => {
    const u = cli('no-such-command');
    expect(u.code).toBe(2);
    expect(json(u.stderr).error).toMatch(/export-torch --model <file\|zoo name>.*--out DIR/);
    const r = cli('export-torch', '--model', 'tiny');
    expect(r.code).toBe(2);
    expect(json(r.stderr).error).toBe('missing --out <value>');
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'x');
    expect(json(cli('export-torch', '--model', 'tiny', '--out', file).stderr).error).toMatch(
      /exists and is not a folder/,
    );
  });

  it('writes the OSI entry with 8 real golden images; python check passes', () => {
    const out = path.join(tmp(), 'osi');
    const r = cli('export-torch', '--model', OSI, '--data', CIFAR_DIR, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const o = json(r.stdout);
    expect(o).toMatchObject({ model: 'osi-micronet', images: 8, backend: 'cpu', tolerance: 1e-4 });
    expect(o.pythonPackage).toBe(path.join(PYTHON_DIR, 'micronet_lab_torch'));
    for (const f of ['job.json', 'model.safetensors', 'recipe.json', 'golden.safetensors'])
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(fs.existsSync(path.join(out, 'micronet_lab_torch', '__main__.py'))).toBe(true);
    const golden = readSafetensors(
      new Uint8Array(fs.readFileSync(path.join(out, 'golden.safetensors'))),
    );
    expect([...golden.tensors.keys()].sort()).toEqual(['extra.exit', 'images', 'labels', 'logits']);
    expect(golden.tensors.get('images')!.shape).toEqual([8, 32, 32, 3]);
    if (!TORCH_PYTHON) return;
    // run from the job folder itself: its copy of the package, nothing from the repo
    const c = spawnSync(TORCH_PYTHON, ['-m', 'micronet_lab_torch', 'check', '.'], {
      cwd: out,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: '' },
    });
    expect(c.status, c.stderr).toBe(0);
    const check = JSON.parse(c.stdout) as { ok: boolean; maxAbsDiff: Record<string, number> };
    expect(check.ok).toBe(true);
    expect(Object.keys(check.maxAbsDiff).sort()).toEqual(['extra.exit', 'logits']);
  });

  it.skipIf(!TORCH_PYTHON)(
    'round trip: 2-process DDP training on real images → the lab imports and evaluates the result',
    () => {
      const out = path.join(tmp(), 'tiny');
      const recipe = JSON.stringify({
        sparsity: 0.5,
        weightBits: 8,
        activationBits: 8,
        fineTune: { batchSize: 64, learningRate: 0.05, qat: true, distill: {} },
      });
      const e = cli('export-torch', '--model', 'tiny', '--recipe', recipe, '--out', out);
      expect(e.code, e.stderr).toBe(0);
      const train = ['-m', 'micronet_lab_torch', 'train', out, '--data', CIFAR_DIR];
      const t = runPython([...train, '--limit', '512', '--max-steps', '4', '--spawn', '2']);
      expect(t.code, t.stderr).toBe(0);
      const summary = lastJson(t);
      expect(summary).toMatchObject({ processes: 2, steps: 4, batchSize: 64, sparsity: 0.5 });
      const result = path.join(out, 'result.safetensors');
      const ev = cli('eval', '--model', result, '--data', CIFAR_DIR, '--limit', '100');
      expect(ev.code, ev.stderr).toBe(0);
      expect(json(ev.stdout)).toMatchObject({ n: 100, model: 'tiny' });
      const i = json(cli('inspect', result).stdout);
      expect(i).toMatchObject({ format: 'micronet-lab', architecture: 'tiny' });
      expect((i.info as Record<string, unknown>).trainedBy).toBe('micronet_lab_torch');
      // torch → lab: the lab runs the torch-written checkpoint to torch's logits
      const logitsFile = path.join(out, 'torch-logits.safetensors');
      const crosscheck = path.join(PYTHON_DIR, 'tests', 'crosscheck.py');
      expect(runPython([crosscheck, 'logits', out, result, logitsFile]).code).toBe(0);
      const torchLogits = readSafetensors(new Uint8Array(fs.readFileSync(logitsFile))).tensors;
      const ckpt = readLabCheckpoint(new Uint8Array(fs.readFileSync(result)));
      const g = readSafetensors(
        new Uint8Array(fs.readFileSync(path.join(out, 'golden.safetensors'))),
      );
      const x = g.tensors.get('images')!.data as Float32Array;
      const labels = g.tensors.get('labels')!.data as Int32Array;
      const lab = goldenOutputs(ckpt.graph, ckpt.weights, { x, labels, source: 'golden' });
      const a = lab.get('logits')!.data as Float32Array;
      const b = torchLogits.get('logits')!.data as Float32Array;
      expect(a.length).toBe(b.length);
      expect(Math.max(...a.map((v, j) => Math.abs(v - b[j]!)))).toBeLessThan(1e-4);
    },
  );
});
