/**
 * The worker's side of the Score panel. `inputs()` hands the main thread what it needs to score
 * recipes itself on every slider move (graph, magnitude profile, existing zeros, measured exit
 * rate); the profile is computed once per network (and again after training changed it).
 * `measure()` is the accuracy half: the recipe's sparsity + quantization applied to a copy of
 * the current network (core/compress/apply-recipe), evaluated on the first `limit` test records.
 * Measurements run one at a time: a new one waits for the cancelled previous one to let go of
 * the network.
 */
import { evaluateRecipe } from '../core/compress/apply-recipe';
import {
  DEFAULT_EXIT_THRESHOLD,
  exitBlendOf,
  exitThresholdOf,
} from '../core/compress/exit-threshold';
import { layerZeroFractions, magnitudeProfile } from '../core/compress/sparsity/index';
import type { MagnitudeProfile } from '../core/compress/sparsity/index';
import type { CifarDataset } from '../core/data/types';
import type { Network } from '../core/graph/network';
import { recipeJson, validateRecipe, type Recipe } from '../core/recipe/index';
import { cifarSource } from '../core/train/cifar-source';
import { evaluateNetwork } from '../core/train/evaluate-network';
import type { BatchSource } from '../core/train/types';
import type { CurrentNetwork } from './current-network';
import { evalReport } from './eval-report';
import type {
  BackendInfo,
  JobProgress,
  MeasureOptions,
  RecipeMeasurement,
  ScoreInputs,
  SplitName,
} from './lab-types';
import { stableJson } from '../core/util/stable-json';
import { networkFingerprint } from '../core/graph/fingerprint';

type Report = (p: JobProgress) => void;

/** Default validation slice: the first 500 test records. */
export const DEFAULT_MEASURE_LIMIT = 500;
const DEFAULT_BATCH = 100;
/** Order statistics kept per layer for the main thread's global-threshold estimate. */
const PROFILE_POINTS = 1024;

/**
 * The first network id of a new service (one per worker): a random block of 2^21 ids below 2^52,
 * so a restarted worker's ids do not repeat the old one's (the main thread compares them with ===).
 */
export function randomFirstId(): number {
  return Math.floor(Math.random() * 2 ** 31) * 2 ** 21 + 1;
}

interface Profiled {
  profile: MagnitudeProfile;
  layerZeroFraction: Record<string, number>;
}

/** The first `n` examples of a source. */
export function headOf(source: BatchSource, n: number): BatchSource {
  return { ...source, size: Math.min(n, source.size) };
}

/** Checks the options and returns the slice size (null = the whole split). */
export function measureLimit(o: MeasureOptions): number | null {
  const limit = o.limit === undefined ? DEFAULT_MEASURE_LIMIT : o.limit;
  if (limit !== null && !(Number.isInteger(limit) && limit >= 1)) {
    throw new Error(`measure: limit must be a whole number ≥ 1 or null (all), got ${limit}`);
  }
  if (o.split !== undefined && o.split !== 'test') {
    throw new Error(`measure: only the test split can be measured, got '${String(o.split)}'`);
  }
  return limit;
}

/** Quantile buffers copied, so the cached profile survives a Comlink.transfer of the copy. */
function copyProfile(p: MagnitudeProfile): MagnitudeProfile {
  return { layers: p.layers.map((l) => ({ ...l, quantiles: l.quantiles.slice() })) };
}

/**
 * A network read from a compressed checkpoint, measured under the recipe it was compressed with:
 * it already is that recipe's result, so it runs as stored (with its activation quantizers)
 * instead of being compressed a second time.
 */
async function evaluateStored(
  current: CurrentNetwork,
  net: Network,
  o: Parameters<typeof evaluateRecipe>[2],
): Promise<Awaited<ReturnType<typeof evaluateRecipe>>> {
  const runnable = current.evaluable() ?? net;
  const exitThreshold = o.threshold ?? DEFAULT_EXIT_THRESHOLD;
  const exitBlend = exitBlendOf(undefined, o.blend);
  const r = await evaluateNetwork(runnable, o.source, {
    ...o,
    threshold: exitThreshold,
    blend: exitBlend,
  });
  const layerSparsity = layerZeroFractions(net.graph, await net.toWeightsAsync());
  return { ...r, layerSparsity, exitThreshold, exitBlend };
}

export class ScoreService {
  private readonly profiles = new WeakMap<Network, Profiled>();
  private readonly exitRates = new WeakMap<Network, number>();
  private readonly ids = new WeakMap<Network, number>();
  private readonly keys = new WeakMap<Network, Promise<string>>();
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ensureBackend: () => Promise<BackendInfo>,
    private readonly current: CurrentNetwork,
    private nextId = randomFirstId(),
  ) {}

  /** Records the early-exit rate an evaluation of `net` measured. */
  noteExitRate(net: Network | null, rate: number | null | undefined): void {
    if (net && rate !== null && rate !== undefined) this.exitRates.set(net, rate);
  }

  /** Forgets what was derived from `net`'s weights (after training changed them in place). */
  invalidate(net: Network | null): void {
    if (!net) return;
    this.profiles.delete(net);
    this.exitRates.delete(net);
    this.ids.delete(net);
    this.keys.delete(net);
  }

  /**
   * The content key of the current network (core/graph/fingerprint.ts: weights, and a compressed
   * checkpoint's recipe), cached until invalidate(net); null without a network.
   */
  networkKey(): Promise<string | null> {
    const net = this.current.network;
    if (!net) return Promise.resolve(null);
    let key = this.keys.get(net);
    if (!key) {
      const recipe = this.current.compressed?.recipe;
      // Sorted-key JSON, not recipeJson(): this text is hashed into keys that history records
      // keep (IndexedDB), so it stays as it was when they were written.
      const extra = recipe ? stableJson(validateRecipe(recipe)) : '';
      key = net.toWeightsAsync().then((w) => networkFingerprint(net.graph.name, w, extra));
      this.keys.set(net, key);
      key.catch(() => this.keys.delete(net));
    }
    return key;
  }

  /** A number that identifies `net` (and its weights) until invalidate(net). */
  private idOf(net: Network): number {
    let id = this.ids.get(net);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(net, id);
    }
    return id;
  }

  /** Score inputs of the current network (fresh copies of the profile buffers), or null. */
  async inputs(): Promise<ScoreInputs | null> {
    const net = this.current.network;
    const network = this.current.info();
    if (!net || !network) return null;
    let profiled = this.profiles.get(net);
    if (!profiled) {
      const weights = await net.toWeightsAsync();
      profiled = {
        profile: magnitudeProfile(net.graph, weights, PROFILE_POINTS),
        layerZeroFraction: layerZeroFractions(net.graph, weights),
      };
      if (this.current.network === net) this.profiles.set(net, profiled);
    }
    return {
      graph: net.graph,
      profile: copyProfile(profiled.profile),
      layerZeroFraction: { ...profiled.layerZeroFraction },
      exitRate: this.exitRates.get(net) ?? null,
      network,
      networkId: this.idOf(net),
      networkKey: (await this.networkKey()) ?? '',
    };
  }

  /** True when the current network came from a compressed checkpoint made with `recipe`. */
  private isStoredRecipe(recipe: Recipe): boolean {
    const stored = this.current.compressed?.recipe;
    return stored !== undefined && recipeJson(validateRecipe(stored)) === recipeJson(recipe);
  }

  /** Accuracy of the current network with `recipe` applied to a copy; see the file header. */
  measure(
    recipeIn: Recipe,
    o: MeasureOptions,
    data: CifarDataset | null,
    hooks: { signal: AbortSignal; report: Report },
  ): Promise<RecipeMeasurement> {
    const run = this.last.catch(() => undefined).then(() => this.run(recipeIn, o, data, hooks));
    this.last = run;
    return run;
  }

  private async run(
    recipeIn: Recipe,
    o: MeasureOptions,
    data: CifarDataset | null,
    hooks: { signal: AbortSignal; report: Report },
  ): Promise<RecipeMeasurement> {
    const recipe = validateRecipe(recipeIn);
    const limit = measureLimit(o);
    const batchSize = o.batchSize ?? DEFAULT_BATCH;
    const test = data?.test;
    if (!test) throw new Error('No test split loaded: load test.bin or the archive first');
    if (hooks.signal.aborted) throw new DOMException('Measurement cancelled', 'AbortError');
    await this.ensureBackend();
    const net = this.current.network;
    if (!net) throw new Error('No current network: import, train or evaluate one first');
    const calibratedOn: SplitName = data.train ? 'train' : 'test';
    const all = cifarSource(test, null);
    const source = limit === null ? all : headOf(all, limit);
    const calibration = cifarSource(data.train ?? test, null);
    const networkKey = (await this.networkKey()) ?? '';
    const release = this.current.hold('measuring a recipe');
    const t0 = performance.now();
    try {
      hooks.report({
        phase: 'applying the recipe',
        done: 0,
        total: source.size,
        unit: 'images',
        etaSeconds: null,
      });
      const evalOptions = {
        source,
        calibration,
        batchSize,
        signal: hooks.signal,
        onProgress: evalReport(hooks.report),
      };
      const r = this.isStoredRecipe(recipe)
        ? await evaluateStored(this.current, net, {
            ...evalOptions,
            threshold: exitThresholdOf(recipe),
            blend: exitBlendOf(recipe),
          })
        : await evaluateRecipe(net, recipe, evalOptions);
      return {
        top1: r.top1,
        top5: r.top5,
        loss: r.loss,
        n: r.n,
        imagesPerSecond: r.imagesPerSecond,
        top1EarlyExit: r.top1EarlyExit ?? null,
        exitRate: r.exitRate ?? null,
        layerSparsity: r.layerSparsity,
        calibratedOn,
        networkId: this.idOf(net),
        networkKey,
        limit,
        seconds: (performance.now() - t0) / 1000,
      };
    } finally {
      release();
    }
  }
}
