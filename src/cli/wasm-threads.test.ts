// Multi-threaded wasm in Node (wasm-threads.ts): the CLI's --threads 2 runs tfjs's threaded SIMD
// build with a 2-thread XNNPACK pool, computes what the single-threaded build computes (< 1e-4),
// training included, and the process still ends when the command does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_DIR, MODELS_DIR } from '../test-paths';
import { cli, json } from './cli-runner.test-helpers';

const TEST_BIN = path.join(CIFAR_DIR, 'test.bin');

function trainTiny(dir: string, threads: number) {
  const out = path.join(dir, `tiny-${threads}.safetensors`);
  const args = ['--data', CIFAR_DIR, '--model', 'tiny', '--epochs', '1', '--limit', '128'];
  const r = cli('train', ...args, '--batch', '32', '--out', out, '--threads', String(threads));
  expect(r.code, r.stderr).toBe(0);
  return { out, result: json(r.stdout) };
}

function evaluate(model: string, threads: number, limit: string) {
  const r = cli(
    'eval',
    '--model',
    model,
    '--data',
    TEST_BIN,
    '--limit',
    limit,
    '--threads',
    String(threads),
  );
  expect(r.code, r.stderr).toBe(0);
  return json(r.stdout);
}

describe('micronet-lab --threads (multi-threaded wasm in Node)', () => {
  it('trains the same tiny network with 2 threads as with 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-threads-'));
    const one = trainTiny(dir, 1);
    const two = trainTiny(dir, 2);
    expect(one.result).toMatchObject({ backend: 'wasm', threads: 1, steps: 4 });
    expect(two.result).toMatchObject({ backend: 'wasm', threads: 2, steps: 4 });
    const a = evaluate(one.out, 1, '200');
    const b = evaluate(two.out, 1, '200');
    expect(Math.abs((a.loss as number) - (b.loss as number))).toBeLessThan(1e-4);
    expect(b.top1).toBe(a.top1);
    fs.rmSync(dir, { recursive: true });
  });

  it('evaluates the OSI entry with 2 threads as with 1', () => {
    const pth = path.join(MODELS_DIR, 'osi-ai-micronet', 'trained_model.pth');
    const a = evaluate(pth, 1, '100');
    const b = evaluate(pth, 2, '100');
    expect(b.threads).toBe(2);
    expect(b.top1).toBe(a.top1);
    expect(b.top1EarlyExit).toBe(a.top1EarlyExit);
    expect(Math.abs((a.loss as number) - (b.loss as number))).toBeLessThan(1e-4);
  });

  it('a bad --threads is a usage error naming the value', () => {
    const r = cli('eval', '--model', 'tiny', '--data', TEST_BIN, '--threads', '0');
    expect(r.code).toBe(2);
    expect(json(r.stderr).error).toBe('--threads must be an integer from 1 to 8, got "0"');
  });
});
