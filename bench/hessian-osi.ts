/**
 * The Hessian proof at full size (for `bench/run.ts`, e.g. `--only hessian-osi`): the
 * OSI-AI MicroNet checkpoint's top Hessian eigenvalue of the mean cross-entropy (main output,
 * eval-mode BN, no augmentation, all 483,192 trainable parameters of the main network) on the
 * first N CIFAR-100 test records (default 256), in Node on wasm: Lanczos with exact HVPs from two
 * seeds; power iteration with finite-difference HVPs (Richardson 5-point stencil), started from
 * the first run's Ritz vector; a Hutchinson trace; timings of one gradient and one HVP. Long:
 * one HVP is ≈ 0.35 s per record on one core, so N = 256 takes on the order of an hour.
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkTopEigenvalue,
  exactHvp,
  hessianOperator,
  hutchinsonTrace,
  lossGradient,
  modelLayout,
  networkLossModel,
  sourceBatches,
  type TopEigenCheck,
} from '../src/core/analysis/hessian';
import { parseRecords, sliceSplit } from '../src/core/data/cifar-records';
import { Network } from '../src/core/graph/network';
import { modelFromCheckpoint } from '../src/core/models/model-from-checkpoint';
import { cifarSource } from '../src/core/train/cifar-source';
import { makeRng } from '../src/core/util/rng';
import { machineInfo } from './machine';
import { startNodeBackend } from './node-throughput';
import { OSI_PTH } from './osi-eval';
import { CIFAR_DIR } from './paths';

export interface HessianOsiOptions {
  /** First N test records (default 256). */
  records?: number;
  /** Records per double-backprop pass (default 16; the tape of 16 fits wasm's 4 GiB heap). */
  batchSize?: number;
  /** Hutchinson probes for the trace (default 4; 0 skips it). */
  traceProbes?: number;
}

export interface HessianOsiResult {
  date: string;
  loadAverage: number;
  backend: string;
  records: number;
  batchSize: number;
  params: number;
  loss: number;
  /** The first gradient and HVP (cold: include the wasm heap's growth). */
  gradientSeconds: number;
  hvpSeconds: number;
  /** Steady state: mean seconds per HVP over both Lanczos runs. */
  lanczosSecondsPerHvp: number;
  /** Two Lanczos runs and the finite-difference power iteration (history dropped). */
  check: Omit<TopEigenCheck, 'power'> & { power: Omit<TopEigenCheck['power'], 'history'> };
  trace: { value: number; stdErr: number; probes: number; seconds: number } | null;
  seconds: number;
}

const since = (t0: number) => (performance.now() - t0) / 1000;

export async function benchHessianOsi(
  log: (s: string) => void,
  o: HessianOsiOptions = {},
): Promise<HessianOsiResult> {
  const records = o.records ?? 256;
  const batchSize = o.batchSize ?? 16;
  const traceProbes = o.traceProbes ?? 4;
  const m = machineInfo();
  const t0 = performance.now();
  await startNodeBackend('wasm');
  const ck = await modelFromCheckpoint(new Uint8Array(fs.readFileSync(OSI_PTH)), OSI_PTH);
  const bytes = new Uint8Array(fs.readFileSync(path.join(CIFAR_DIR, 'test.bin')));
  const split = sliceSplit(parseRecords(bytes, 'test.bin'), 0, records);
  const net = Network.fromWeights(ck.graph, ck.weights);
  const model = networkLossModel(net, sourceBatches(cifarSource(split, null), records, batchSize));
  try {
    const { n } = modelLayout(model);
    log(`hessian-osi: ${n} parameters, ${records} records in batches of ${batchSize}`);
    let t = performance.now();
    const g = await lossGradient(model);
    const gradientSeconds = since(t);
    t = performance.now();
    await exactHvp(model, g); // any vector: timing only
    const hvpSeconds = since(t);
    log(`  one gradient ${gradientSeconds.toFixed(1)} s, one HVP ${hvpSeconds.toFixed(1)} s`);
    const l = tf.tidy(() => tf.addN(model.terms.map((term) => tf.mul(term.loss(), term.weight))));
    const loss = (await l.data())[0]!;
    l.dispose();
    const check = await checkTopEigenvalue(model, {
      seeds: [1, 2],
      lanczosSteps: 40,
      tol: 1e-3,
      power: { start: 'lanczos', seed: 3, maxIterations: 3, tol: 1e-3, eps: 1e-3, stencil: 5 },
      log: (s) => log(`  ${s}`),
    });
    const { start, value, iterations, converged, seconds } = check.power;
    const power = { start, value, iterations, converged, seconds };
    let trace: HessianOsiResult['trace'] = null;
    if (traceProbes > 0) {
      t = performance.now();
      const tr = await hutchinsonTrace(hessianOperator(model), {
        probes: traceProbes,
        rng: makeRng(4),
        onStep: () => log(`  Hutchinson probe done, ${since(t).toFixed(0)} s`),
      });
      trace = { value: tr.trace, stdErr: tr.stdErr, probes: traceProbes, seconds: since(t) };
    }
    return {
      date: m.date,
      loadAverage: m.loadAverage,
      backend: tf.getBackend(),
      records,
      batchSize,
      params: n,
      loss,
      gradientSeconds,
      hvpSeconds,
      lanczosSecondsPerHvp:
        (check.lanczos[0].seconds + check.lanczos[1].seconds) /
        (check.lanczos[0].steps + check.lanczos[1].steps),
      check: { ...check, power },
      trace,
      seconds: since(t0),
    };
  } finally {
    model.dispose();
    net.dispose();
  }
}

/** A BENCHMARKS.md section for the result. */
export function hessianOsiMarkdown(r: HessianOsiResult): string {
  const [a, b] = r.check.lanczos;
  const pct = (x: number) => `${(100 * x).toFixed(3)} %`;
  const rows = [
    `| Lanczos, seed ${a.seed} | ${a.value.toFixed(2)} | ${a.steps} HVPs, residual ${a.residual.toExponential(2)} | ${a.seconds.toFixed(0)} |`,
    `| Lanczos, seed ${b.seed} | ${b.value.toFixed(2)} | ${b.steps} HVPs, residual ${b.residual.toExponential(2)} | ${b.seconds.toFixed(0)} |`,
    `| Power iteration, FD HVP (5-point, ε = 1e-3), from seed ${a.seed}'s Ritz vector | ${r.check.power.value.toFixed(2)} | ${r.check.power.iterations} iterations | ${r.check.power.seconds.toFixed(0)} |`,
  ];
  const trace = r.trace
    ? `Hutchinson trace (${r.trace.probes} Rademacher probes): ${r.trace.value.toFixed(1)} ± ${r.trace.stdErr.toFixed(1)} (${r.trace.seconds.toFixed(0)} s).`
    : '';
  return [
    '## OSI-AI MicroNet checkpoint: top Hessian eigenvalue',
    '',
    `Hessian of the mean cross-entropy of the main output (eval-mode BN, no augmentation) over the first ${r.records} CIFAR-100 test records, w.r.t. all ${r.params.toLocaleString('en')} trainable parameters of the main network; Node, ${r.backend}, ${r.date}, load average ${r.loadAverage} at the start (\`bench/hessian-osi.ts\`). Loss ${r.loss.toFixed(4)}. First (cold) gradient ${r.gradientSeconds.toFixed(1)} s and exact HVP ${r.hvpSeconds.toFixed(1)} s; in steady state one exact HVP (double back-prop, batches of ${r.batchSize}) takes ${r.lanczosSecondsPerHvp.toFixed(1)} s.`,
    '',
    '| Method | λ_max | Cost | Seconds |',
    '|---|---:|---|---:|',
    ...rows,
    '',
    `Seed-to-seed spread ${pct(r.check.seedSpread)}; power iteration vs Lanczos ${pct(r.check.powerGap)} (target: both < 1 %). ${trace} Total ${(r.seconds / 60).toFixed(1)} min.`,
    '',
  ].join('\n');
}
