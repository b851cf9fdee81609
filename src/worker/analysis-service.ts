/**
 * The worker's side of the Spectra panel: K-FAC / EKFAC eigen analysis (EigenDamage, Wang et al.
 * 2019) of every conv / dense layer of the current network on training batches (no augmentation,
 * bias kept out of the factors, as eigenbasis pruning needs), and the full-network Hessian
 * spectrum (Lanczos top-k, SLQ density, Hutchinson trace — PyHessian's analysis) of the mean
 * cross-entropy over the first N test records. Only the spectra and saliency sums cross to the
 * main thread; the full K-FAC result (eigenvectors included) stays here for eigenbasis pruning,
 * tied to the network it was computed on.
 */
import { kfacAnalysis, type KfacLayer, type KfacProgress } from '../core/analysis/kfac/index';
import {
  hessianSpectrum,
  type HessianSpectrum,
  type SpectrumProgress,
} from '../core/analysis/hessian/index';
import type { CifarDataset, CifarSplit } from '../core/data/types';
import type { Network } from '../core/graph/network';
// Direct import: the batching helper, not the spectrum (which tests replace through the index).
import { sourceBatches } from '../core/analysis/hessian/network-loss';
import { cifarSource } from '../core/train/cifar-source';
import { passBytesPerImage, type PassKind } from '../core/train/pass-memory';
import type { Batch } from '../core/train/types';
import type { CurrentNetwork } from './current-network';
import type {
  AnalyseOptions,
  AnalysisResult,
  BackendInfo,
  HessianSummary,
  JobProgress,
  LayerSpectrum,
  PassSplit,
  SplitName,
} from './lab-types';

type Report = (p: JobProgress) => void;

export interface AnalysisHooks {
  signal: AbortSignal;
  report: Report;
}

/** A finished K-FAC analysis kept for eigenbasis pruning. */
export interface KeptAnalysis {
  id: number;
  net: Network;
  layers: KfacLayer[];
}

const HOLD_POLL_MS = 50;
const HOLD_WAIT_MS = 15_000;

const KFAC_PHASES: Record<KfacProgress['phase'], [string, string]> = {
  factors: ['K-FAC factors', 'batches'],
  eigen: ['K-FAC eigendecomposition', 'layers'],
  ekfac: ['EKFAC correction', 'batches'],
};

function abortError(what: string): DOMException {
  return new DOMException(`${what} cancelled`, 'AbortError');
}

/**
 * Holds the current network for `what`, waiting (up to 15 s) while another job still holds it —
 * e.g. a measurement the main thread has just cancelled and that has not let go yet.
 */
export async function holdWhenFree(
  current: CurrentNetwork,
  what: string,
  signal: AbortSignal,
): Promise<() => void> {
  const t0 = performance.now();
  for (;;) {
    if (signal.aborted) throw abortError(what);
    try {
      return current.hold(what);
    } catch (err) {
      if (performance.now() - t0 > HOLD_WAIT_MS) throw err;
    }
    await new Promise((r) => setTimeout(r, HOLD_POLL_MS));
  }
}

/** Checks the options; throws naming the bad value. */
export function checkAnalyseOptions(o: AnalyseOptions): void {
  const int = (v: number | undefined, what: string, min: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min))
      throw new Error(`analyse: ${what} must be a whole number ≥ ${min}, got ${v}`);
  };
  int(o.kfacBatches, 'K-FAC batches', 1);
  int(o.batchSize, 'batch size', 1);
  int(o.hessianRecords, 'Hessian records', 0);
  int(o.topK, 'top-k', 1);
  int(o.lanczosSteps, 'Lanczos steps', 1);
  int(o.probes, 'probes', 1);
  int(o.densitySteps, 'density steps', 2);
}

/** The first `records` examples of a split in batches of `batchSize` (normalised, no augmentation). */
export function headBatches(split: CifarSplit, records: number, batchSize: number): Batch[] {
  if (records > split.count)
    throw new Error(`analyse: ${records} Hessian records asked, the test split has ${split.count}`);
  return sourceBatches(cifarSource(split, null), records, batchSize);
}

/** The spectra of a K-FAC layer as fresh copies (the kept ones must survive a transfer). */
function spectrumOf(l: KfacLayer): LayerSpectrum {
  return {
    name: l.name,
    op: l.op,
    kernel: l.kernel,
    inChannels: l.inChannels,
    outChannels: l.outChannels,
    eigA: l.eigA.slice(),
    eigG: l.eigG.slice(),
    rowSaliency: l.rowSaliency.slice(),
    colSaliency: l.colSaliency.slice(),
  };
}

/** A pass of `batchSize` records as it ran (`microBatch` per pass) and its whole-batch estimate. */
function passSplit(net: Network, kind: PassKind, batchSize: number, microBatch: number): PassSplit {
  const per = passBytesPerImage(net.graph, kind);
  return { batchSize, microBatch, wholeBatchBytes: per * batchSize };
}

function hessianSummary(h: HessianSpectrum, records: number, batchSize: number): HessianSummary {
  const d = h.density;
  return {
    top: h.top,
    topResiduals: h.topResiduals,
    smallest: h.smallest,
    trace: h.trace,
    traceStdErr: h.traceStdErr,
    density: { grid: d.grid, values: d.values, nodes: d.nodes, weights: d.weights, sigma: d.sigma },
    params: h.params,
    records,
    hvps: h.hvps,
    seconds: h.seconds,
    microBatch: h.microBatch ?? batchSize,
  };
}

/** Every buffer of the result's spectra, for Comlink.transfer. */
export function spectraBuffers(r: AnalysisResult): ArrayBuffer[] {
  return r.layers.flatMap((l) =>
    [l.eigA, l.eigG, l.rowSaliency, l.colSaliency].map((a) => a.buffer as ArrayBuffer),
  );
}

export class AnalysisService {
  private kept: KeptAnalysis | null = null;
  private nextId = 1;

  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
  ) {}

  /** The last K-FAC analysis if it belongs to the current network (and its weights). */
  keptFor(net: Network | null): KeptAnalysis | null {
    return net && this.kept?.net === net ? this.kept : null;
  }

  /** Id of the analysis valid for the current network, or null. */
  validId(): number | null {
    return this.keptFor(this.current.network)?.id ?? null;
  }

  /** Forgets the analysis of `net` (its weights changed, e.g. by training). */
  invalidate(net: Network | null): void {
    if (net && this.kept?.net === net) this.kept = null;
  }

  async analyse(
    o: AnalyseOptions,
    data: CifarDataset | null,
    hooks: AnalysisHooks,
  ): Promise<AnalysisResult> {
    checkAnalyseOptions(o);
    const kfacSplit: SplitName = data?.train ? 'train' : 'test';
    const train = data?.train ?? data?.test;
    if (!train) throw new Error('No data loaded: load the CIFAR-100 train or test split first');
    const need = o.kfacBatches * o.batchSize;
    if (need > train.count)
      throw new Error(
        `analyse: ${o.kfacBatches} K-FAC batches of ${o.batchSize} need ${need} records, the ${kfacSplit} split has ${train.count}`,
      );
    const hessianBatches =
      o.hessianRecords > 0 ? headBatches(requireTest(data), o.hessianRecords, o.batchSize) : null;
    await this.ensureBackend();
    const net = this.current.network;
    const network = this.current.info();
    if (!net || !network)
      throw new Error('No current network: import, train or evaluate one first');
    const release = await holdWhenFree(this.current, 'analysing', hooks.signal);
    const t0 = performance.now();
    try {
      const kfac = await kfacAnalysis({
        net,
        source: cifarSource(train, null),
        batches: o.kfacBatches,
        batchSize: o.batchSize,
        seed: o.seed ?? 0,
        useBias: false,
        signal: hooks.signal,
        onProgress: (p) => reportKfac(hooks.report, p),
      });
      const hessian = hessianBatches ? await this.hessian(net, o, hessianBatches, hooks) : null;
      const id = this.nextId++;
      this.kept = { id, net, layers: kfac.layers };
      return {
        analysisId: id,
        network,
        layers: kfac.layers.map(spectrumOf),
        skipped: kfac.skipped.map((s) => ({ name: s.name, reason: s.reason })),
        kfacSamples: kfac.samples,
        kfacSplit,
        hessian,
        seconds: (performance.now() - t0) / 1000,
        passes: {
          kfac: passSplit(net, 'fisher', o.batchSize, kfac.microBatch),
          hessian: hessian && passSplit(net, 'hvp', o.batchSize, hessian.microBatch),
        },
      };
    } finally {
      release();
    }
  }

  private async hessian(
    net: Network,
    o: AnalyseOptions,
    batches: Batch[],
    hooks: AnalysisHooks,
  ): Promise<HessianSummary> {
    const h = await hessianSpectrum({
      net,
      batches,
      topK: o.topK ?? 5,
      lanczosSteps: o.lanczosSteps ?? 20,
      probes: o.probes ?? 3,
      densitySteps: o.densitySteps ?? 16,
      seed: o.seed ?? 0,
      signal: hooks.signal,
      onProgress: (p) => reportHessian(hooks.report, p),
    });
    return hessianSummary(h, o.hessianRecords, o.batchSize);
  }
}

function requireTest(data: CifarDataset | null): CifarSplit {
  if (!data?.test)
    throw new Error(
      'The Hessian uses the first test records: load the test split (or set 0 records)',
    );
  return data.test;
}

function reportKfac(report: Report, p: KfacProgress): void {
  const [phase, unit] = KFAC_PHASES[p.phase];
  report({ phase, done: p.done, total: p.total, unit, etaSeconds: p.etaSeconds });
}

function reportHessian(report: Report, p: SpectrumProgress): void {
  report({
    phase: p.phase === 'top' ? 'Hessian top eigenvalues' : 'Hessian density and trace',
    done: p.hvps,
    total: Math.max(p.hvps, p.totalHvps),
    unit: 'Hessian-vector products',
    etaSeconds: p.etaSeconds,
  });
}
