// Non-asserting measurement (never assert on time): p95 cost of re-scoring PyramidNet-272 α200
// after a slider move, plain and in a synthetic factorized form (each conv → 1×1 → k×k → 1×1,
// the shape of the seed's eigenbasis layers; the real factorization is a later pruning issue).
import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '../graph/ir';
import { buildPyramidNet } from '../models/pyramidnet';
import { buildScoreTable, type ScoreTable } from './score-table';
import { scoreNetwork, type ScoreContext } from './score-network';

function factorize(g: Graph): Graph {
  const nodes: GraphNode[] = [];
  for (const n of g.nodes) {
    const s = n.spec;
    if (s.op !== 'conv2d') {
      nodes.push(n);
      continue;
    }
    const r = Math.max(1, Math.floor(Math.min(s.inChannels, s.outChannels) / 2));
    const pw = (inC: number, outC: number, bias: boolean) =>
      ({
        ...s,
        inChannels: inC,
        outChannels: outC,
        kernel: 1,
        stride: 1,
        padding: 'valid',
        bias,
      }) as const;
    nodes.push({ name: `${n.name}.basis_in`, inputs: n.inputs, spec: pw(s.inChannels, r, false) });
    nodes.push({
      name: `${n.name}.core`,
      inputs: [`${n.name}.basis_in`],
      spec: { ...s, inChannels: r, outChannels: r, bias: false },
    });
    nodes.push({ name: n.name, inputs: [`${n.name}.core`], spec: pw(r, s.outChannels, s.bias) });
  }
  return { ...g, name: `${g.name}-factorized`, nodes };
}

function p(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function measure(table: ScoreTable, detail: boolean): { p50: number; p95: number } {
  const names = [...table.prunable.keys()];
  const times: number[] = [];
  for (let i = 0; i < 260; i++) {
    // A slider move: new global bits and a fresh per-layer sparsity map from the caller.
    const s = (i % 50) / 100;
    const ctx: ScoreContext = {
      layerSparsity: Object.fromEntries(names.map((n, j) => [n, (s + j * 1e-4) % 0.99])),
      detail,
    };
    const recipe = {
      weightBits: 4 + (i % 10),
      activationBits: 12,
      layerBits: { fc: { weight: 16 } },
    };
    const t0 = performance.now();
    const r = scoreNetwork(table, recipe, ctx);
    const dt = performance.now() - t0;
    if (i >= 60) times.push(dt); // after warm-up (JIT)
    expect(r.score).toBeGreaterThan(0);
  }
  times.sort((a, b) => a - b);
  return { p50: p(times, 0.5), p95: p(times, 0.95) };
}

describe('scoring speed (measurement only)', () => {
  it('PyramidNet-272 α200, plain and factorized', () => {
    const plain = buildPyramidNet({ depth: 272, alpha: 200, bottleneck: true });
    for (const g of [plain, factorize(plain)]) {
      const t0 = performance.now();
      const table = buildScoreTable(g);
      const build = performance.now() - t0;
      const convs = g.nodes.filter((n) => n.spec.op === 'conv2d').length;
      const full = measure(table, true);
      const lean = measure(table, false);
      console.log(
        `[score speed] ${g.name}: ${convs} convs, ${table.rows.length} rows; table build ${build.toFixed(1)} ms; ` +
          `score p50/p95 ${full.p50.toFixed(3)}/${full.p95.toFixed(3)} ms with per-layer detail, ` +
          `${lean.p50.toFixed(3)}/${lean.p95.toFixed(3)} ms without`,
      );
    }
  });
});
