/**
 * Live-score speed (issue 4, req. 5): the cost of re-scoring a network after a slider move —
 * scoreNetwork() over a prebuilt ScoreTable — for PyramidNet-272 α200 (bottleneck) as built and
 * in its factorized form (each conv → 1×1 → k×k → 1×1, each fc likewise: 816 layers, 813 of them
 * convs; bench/factorize.ts). A move
 * sets a new global sparsity and new weight bits; each layer's sparsity comes from the per-move
 * lookup layerSparsityFromProfile(profile, recipe) over a magnitude profile taken once from
 * seeded initial weights (src/core/compress/sparsity). Timed with and without the per-layer
 * breakdown (detail). Not a test: nothing asserts on time. Target: p95 < 2 ms.
 */
import os from 'node:os';
import {
  layerSparsityFromProfile,
  magnitudeProfile,
  type MagnitudeProfile,
} from '../src/core/compress/sparsity';
import type { Graph } from '../src/core/graph/ir';
import { initWeights } from '../src/core/graph/params';
import { buildPyramidNet } from '../src/core/models/pyramidnet';
import { buildScoreTable, scoreNetwork, type ScoreTable } from '../src/core/score';
import type { Recipe } from '../src/core/recipe';
import { factorize } from './factorize';

const WARM_UP = 100; // moves before timing (JIT)
const TIMED = 1000;

export interface Percentiles {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface ScoreSpeedRow extends Percentiles {
  network: string;
  convs: number;
  /** conv2d + depthwise2d + dense layers. */
  layers: number;
  tableRows: number;
  tableBuildMs: number;
  /** magnitudeProfile(graph, weights), once per network. */
  profileMs: number;
  detail: boolean;
  moves: number;
  /** Per-move layerSparsityFromProfile(profile, recipe). */
  lookup: Percentiles;
  /** Lookup + score, per move. */
  total: Percentiles;
}

export interface ScoreSpeedResult {
  date: string;
  node: string;
  /** 1-minute load average when this section started. */
  loadAverage: number;
  rows: ScoreSpeedRow[];
}

export function percentiles(times: number[]): Percentiles {
  const s = [...times].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50Ms: at(0.5), p95Ms: at(0.95), maxMs: s[s.length - 1]! };
}

/** Move i of a drag: the global sparsity slider and the weight bits change. */
function sliderMove(i: number): Recipe {
  return {
    sparsity: (i % 90) / 100,
    weightBits: 4 + (i % 10),
    activationBits: 12,
    layerBits: { fc: { weight: 16 } },
  };
}

function timeMoves(table: ScoreTable, profile: MagnitudeProfile, detail: boolean) {
  const score: number[] = [];
  const lookup: number[] = [];
  const total: number[] = [];
  let sink = 0;
  for (let i = 0; i < WARM_UP + TIMED; i++) {
    const recipe = sliderMove(i);
    const t0 = performance.now();
    const layerSparsity = layerSparsityFromProfile(profile, recipe);
    const t1 = performance.now();
    const r = scoreNetwork(table, recipe, { layerSparsity, detail });
    const t2 = performance.now();
    sink += r.score;
    if (i < WARM_UP) continue;
    lookup.push(t1 - t0);
    score.push(t2 - t1);
    total.push(t2 - t0);
  }
  if (!(sink > 0)) throw new Error(`score speed: scores summed to ${sink}`);
  return { score: percentiles(score), lookup: percentiles(lookup), total: percentiles(total) };
}

export function scoreSpeedGraphs(): Graph[] {
  const plain = buildPyramidNet({ depth: 272, alpha: 200, bottleneck: true });
  return [plain, factorize(plain)];
}

export function benchScoreSpeed(log: (s: string) => void): ScoreSpeedResult {
  const loadAverage = Math.round(os.loadavg()[0]! * 10) / 10;
  const rows: ScoreSpeedRow[] = [];
  for (const g of scoreSpeedGraphs()) {
    const t0 = performance.now();
    const table = buildScoreTable(g);
    const tableBuildMs = performance.now() - t0;
    const weights = initWeights(g, 1);
    const t1 = performance.now();
    const profile = magnitudeProfile(g, weights);
    const profileMs = performance.now() - t1;
    weights.clear();
    const convs = g.nodes.filter((n) => n.spec.op === 'conv2d').length;
    const layers = table.prunable.size;
    for (const detail of [true, false]) {
      const p = timeMoves(table, profile, detail);
      log(
        `score ${g.name} (${layers} layers) detail=${detail}: score p50/p95 ${p.score.p50Ms.toFixed(3)}/${p.score.p95Ms.toFixed(3)} ms, ` +
          `lookup ${p.lookup.p50Ms.toFixed(3)}/${p.lookup.p95Ms.toFixed(3)} ms`,
      );
      rows.push({
        network: g.name,
        convs,
        layers,
        tableRows: table.rows.length,
        tableBuildMs,
        profileMs,
        detail,
        moves: TIMED,
        ...p.score,
        lookup: p.lookup,
        total: p.total,
      });
    }
  }
  return { date: new Date().toISOString().slice(0, 10), node: process.version, loadAverage, rows };
}
