// Test-only helpers (Node) for the lab ↔ PyTorch cross-checks: which python3 has torch, running
// the Python side, and a small graph that uses every op of the IR.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Graph, GraphNode, NodeSpec, Padding } from '../graph/ir';
import { graphFromJSON } from '../graph/serialize';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
export const PYTHON_DIR = path.join(REPO_ROOT, 'python');

function hasTorch(python: string): boolean {
  const r = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0;
}

/**
 * A python3 that imports torch and numpy: $MICRONET_PYTHON, else Debian's /usr/bin/python3
 * (`apt-get install -y python3-torch`; a pyenv or venv python3 on PATH may lack it), else
 * python3 on PATH; null when none has torch.
 */
export function findTorchPython(): string | null {
  const candidates = [process.env.MICRONET_PYTHON, '/usr/bin/python3', 'python3'];
  for (const c of candidates) {
    if (c && (c === 'python3' || fs.existsSync(c)) && hasTorch(c)) return c;
  }
  return null;
}

export const TORCH_PYTHON = findTorchPython();
if (!TORCH_PYTHON && process.env.CI) {
  // .ci/run installs python3-torch: a CI run must never skip these silently
  throw new Error('CI: no python3 with torch (.ci/run should have installed python3-torch)');
}
if (!TORCH_PYTHON) {
  console.warn(
    'SKIPPING the PyTorch cross-checks: no python3 with torch (apt-get install -y python3-torch, or set MICRONET_PYTHON)',
  );
}

export interface PyResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `python args…` with python/ on PYTHONPATH. */
export function runPython(args: string[], cwd = REPO_ROOT, timeout = 300_000): PyResult {
  const env = { ...process.env, PYTHONPATH: PYTHON_DIR };
  const r = spawnSync(TORCH_PYTHON ?? 'python3', args, { cwd, env, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The one JSON object a Python command printed last on stdout. */
export function lastJson(r: PyResult): Record<string, unknown> {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

const n = (name: string, inputs: string[], spec: NodeSpec): GraphNode => ({ name, inputs, spec });
const conv = (name: string, x: string, i: number, o: number, k: number, s: number, p: Padding) =>
  n(name, [x], {
    op: 'conv2d',
    inChannels: i,
    outChannels: o,
    kernel: k,
    stride: s,
    padding: p,
    bias: true,
  });
const bn = (name: string, x: string, c: number): GraphNode =>
  n(name, [x], { op: 'batchnorm', channels: c, eps: 1e-3, momentum: 0.1 });
const act = (name: string, x: string, fn: 'relu' | 'relu6' | 'sigmoid' | 'swish' | 'hswish') =>
  n(name, [x], { op: 'activation', fn });

/**
 * Every op of the IR, 10 classes, with an early-exit head: nearest upsample 16 → 18 at the input
 * (as OSI's 32 → 63; tfjs-backend-cpu's ResizeNearestNeighborGrad mixes up batch offsets for
 * batch > 1, so an upsample behind trainable layers would train wrongly on the cpu backend),
 * 'same' padding with stride 2 (asymmetric), explicit and 'valid' padding, depthwise, SE
 * (keepDims mean, mul), AvgPool ceil mode (with and without an overhanging window), channel
 * padding with a front, residual add, scale, concat, flatten, dense, all five activations, and
 * ShakeDrop when `shakedrop`.
 */
export function allOpsGraph(shakedrop: boolean): Graph {
  const nodes: GraphNode[] = [
    n('input', [], { op: 'input', height: 16, width: 16, channels: 3 }),
    n('up', ['input'], { op: 'upsample', height: 18, width: 18 }),
    conv('stem', 'up', 3, 8, 3, 2, 'same'),
    bn('stem_bn', 'stem', 8),
    act('stem_act', 'stem_bn', 'hswish'),
    n('dw', ['stem_act'], {
      op: 'depthwise2d',
      channels: 8,
      kernel: 3,
      stride: 1,
      padding: [1, 1, 1, 1],
      bias: false,
    }),
    bn('dw_bn', 'dw', 8),
    act('dw_act', 'dw_bn', 'relu6'),
    n('se_pool', ['dw_act'], { op: 'globalavgpool', keepDims: true }),
    conv('se_reduce', 'se_pool', 8, 4, 1, 1, 'valid'),
    act('se_swish', 'se_reduce', 'swish'),
    conv('se_expand', 'se_swish', 4, 8, 1, 1, [0, 0, 0, 0]),
    act('se_gate', 'se_expand', 'sigmoid'),
    n('se', ['dw_act', 'se_gate'], { op: 'mul' }),
    n('pool', ['se'], { op: 'avgpool', size: 2, stride: 2, ceil: true }),
    n('shortcut', ['pool'], { op: 'padchannels', channels: 12, front: 2 }),
    conv('branch', 'pool', 8, 12, 1, 1, 'valid'),
    n('branch_scaled', ['branch'], { op: 'scale', factor: 0.5 }),
  ];
  let last = 'branch_scaled';
  if (shakedrop) {
    nodes.push(n('shake', [last], { op: 'shakedrop', p: 0.3 }));
    last = 'shake';
  }
  nodes.push(
    n('res', ['shortcut', last], { op: 'add' }),
    act('res_act', 'res', 'relu'),
    n('exit_pool', ['res_act'], { op: 'globalavgpool', keepDims: false }),
    n('exit_fc', ['exit_pool'], { op: 'dense', inFeatures: 12, outFeatures: 10, bias: true }),
    n('cat', ['res_act', 'shortcut'], { op: 'concat' }),
    n('cat_pool', ['cat'], { op: 'avgpool', size: 3, stride: 2, ceil: true }),
    n('flat', ['cat_pool'], { op: 'flatten' }),
    n('fc', ['flat'], { op: 'dense', inFeatures: 2 * 2 * 24, outFeatures: 10, bias: true }),
  );
  return graphFromJSON({
    format: 'micronet-lab-graph',
    version: 1,
    name: shakedrop ? 'all-ops' : 'all-ops-trainable',
    numClasses: 10,
    nodes,
    output: 'fc',
    extraOutputs: { exit: 'exit_fc' },
  });
}
