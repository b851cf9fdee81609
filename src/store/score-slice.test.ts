// Score slice: synchronous re-scoring on every edit, the debounced / cancelled accuracy
// measurement, URL recipes, and the OSI reference figures. The worker is a fake (lab-client
// mocked); scoring uses the real core (score table, magnitude profile).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { layerZeroFractions, magnitudeProfile } from '../core/compress/sparsity/index';
import { scoreModel } from '../core/compress/score-model';
import type { Weights } from '../core/graph/ir';
import { initWeights } from '../core/graph/params';
import { buildOsiMicronet } from '../core/models/osi-micronet';
import { osiWeights } from '../core/models/osi-micronet.test-helpers';
import { buildTinyNet } from '../core/models/tiny';
import type {
  JobProgress,
  MeasureOptions,
  RecipeMeasurement,
  ScoreInputs,
} from '../worker/lab-types';

interface Pending {
  id: string;
  recipe: unknown;
  options: MeasureOptions;
  resolve: (m: RecipeMeasurement) => void;
  reject: (e: Error) => void;
}

const fake = vi.hoisted(() => ({
  inputs: null as ScoreInputs | null,
  measures: [] as Pending[],
  cancelled: [] as string[],
}));

vi.mock('../client/lab-client', () => {
  let n = 0;
  return {
    getLab: () => ({
      measureRecipe: (
        id: string,
        recipe: unknown,
        options: MeasureOptions,
        _onProgress: (p: JobProgress) => void,
      ) =>
        new Promise<RecipeMeasurement>((resolve, reject) =>
          fake.measures.push({ id, recipe, options, resolve, reject }),
        ),
      cancel: (id: string) => {
        fake.cancelled.push(id);
        const p = fake.measures.find((m) => m.id === id);
        p?.reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
        return Promise.resolve(true);
      },
    }),
    callback: <T>(fn: T) => fn,
    newJobId: (kind: string) => `${kind}-${++n}`,
    isAbort: (e: unknown) => e instanceof Error && e.name === 'AbortError',
    errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
  };
});

const { useLabStore } = await import('./lab-store');
const { MEASURE_DEBOUNCE_MS, VALIDATION_LIMIT } = await import('./score-slice');
const { osiReference } = await import('./score-compute');
const { changeOf } = await import('./network-change.test-helpers');
const initial = useLabStore.getState();

const tiny = buildTinyNet();
const tinyWeights = initWeights(tiny, 1);

function inputsOf(graph = tiny, weights: Weights = tinyWeights, networkId = 1): ScoreInputs {
  return {
    graph,
    profile: magnitudeProfile(graph, weights),
    layerZeroFraction: layerZeroFractions(graph, weights),
    exitRate: null,
    network: { name: graph.name, origin: 'initialised', source: null, params: 0, extraOutputs: [] },
    networkId,
    networkKey: `tiny#${networkId}`,
  };
}

function measurement(networkId = 1): RecipeMeasurement {
  return {
    top1: 0.42,
    top5: 0.7,
    loss: 2,
    n: 500,
    imagesPerSecond: 100,
    top1EarlyExit: null,
    exitRate: null,
    layerSparsity: {},
    calibratedOn: 'train',
    networkId,
    networkKey: `tiny#${networkId}`,
    limit: VALIDATION_LIMIT,
    seconds: 1,
  };
}

/** The NetworkChange of `fake.inputs`, applied as after a network-changing call. */
function adopt(): void {
  useLabStore.getState().applyNetworkChange(changeOf(fake.inputs?.network ?? null, fake.inputs));
}

/** A store with the tiny net loaded, a test split and a ready backend. */
async function ready(): Promise<void> {
  fake.inputs = inputsOf();
  useLabStore.setState({
    backendStatus: 'ready',
    summary: {
      train: null,
      test: { count: 100, source: 'test.bin' },
      fineNames: [],
      coarseNames: [],
    },
  });
  adopt();
}

const st = () => useLabStore.getState();

beforeEach(() => {
  vi.useFakeTimers();
  useLabStore.setState(initial, true);
  fake.measures = [];
  fake.cancelled = [];
  fake.inputs = null;
});

afterEach(() => {
  vi.useRealTimers();
});

describe('score slice: scoring', () => {
  it('scores the network as it is, then each edit in the same update', async () => {
    await ready();
    const asIs = st().score!;
    expect(st().scoreError).toBeNull();
    // The untouched network: its own zeros (none), no quantization → the 16-bit freebie.
    const exact = scoreModel(tiny, tinyWeights, {});
    expect(asIs.freebie).toBe(true);
    expect(asIs.score).toBe(exact.score);
    expect(asIs.storageBits).toBe(exact.storageBits);

    st().setSparsity(0.5);
    // Synchronous: no await between the edit and the new score.
    const half = st().score!;
    expect(st().recipe).toEqual({ sparsity: 0.5 });
    expect(half.score).toBeLessThan(asIs.score);
    // The profile's estimate of the global magnitude threshold vs exact masks on the weights.
    const exactHalf = scoreModel(tiny, tinyWeights, { sparsity: 0.5 });
    expect(Math.abs(half.score - exactHalf.score) / exactHalf.score).toBeLessThan(1e-3);
    const sp = st().layerSparsity!;
    const prunable = Object.keys(sp);
    expect(prunable).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    const total = prunable.reduce(
      (a, k) => a + sp[k]! * tinyWeights.get(`${k}.weight`)!.data.length,
      0,
    );
    const size = prunable.reduce((a, k) => a + tinyWeights.get(`${k}.weight`)!.data.length, 0);
    expect(total / size).toBeCloseTo(0.5, 3);
  });

  it('8-bit weights end the freebie; a layer override and its removal', async () => {
    await ready();
    const before = st().score!;
    st().setBits({ weight: 8 });
    expect(st().recipe).toEqual({ weightBits: 8 });
    const eight = st().score!;
    expect(eight.freebie).toBe(false);
    expect(eight.score).not.toBe(before.score);
    const fc = eight.layers.find((l) => l.name === 'fc')!;
    expect([fc.paramBits, fc.multBits]).toEqual([8, 32]); // activations stay 32-bit

    st().setLayerBits('fc', 'weight', 4);
    expect(st().recipe).toEqual({ weightBits: 8, layerBits: { fc: { weight: 4 } } });
    expect(st().score!.layers.find((l) => l.name === 'fc')!.paramBits).toBe(4);
    st().setLayerBits('fc', 'weight', null);
    expect(st().recipe).toEqual({ weightBits: 8 });
    st().setBits({ weight: 32 });
    expect(st().recipe).toEqual({});
    expect(st().score!.score).toBe(before.score);
  });

  it('per-layer sparsity, profile, fold-BN and freebie settings', async () => {
    await ready();
    st().setLayerSparsity('conv2', 0.8);
    // conv2 holds 3·3·16·32 = 4,608 weights: round(0.8 · 4608) of them pruned.
    const want = Math.round(0.8 * 4608) / 4608;
    expect(st().layerSparsity!.conv2).toBe(want);
    expect(st().score!.layers.find((l) => l.name === 'conv2')!.sparsity).toBe(want);
    st().setLayerSparsity('conv2', null);
    expect(st().recipe).toEqual({});
    st().setCountingProfile('seed');
    expect(st().score!.profile).toBe('seed');
    expect(st().score!.foldBN).toBe(false);
    st().setFoldBN(true);
    expect(st().score!.foldBN).toBe(true);
    st().setFreebie(false);
    expect(st().score!.freebie).toBe(false);
    st().resetRecipe();
    expect(st().recipe).toEqual({});
  });

  it('names a layer the network lacks in the score error', async () => {
    await ready();
    st().setLayerSparsity('nope', 0.5);
    expect(st().score).toBeNull();
    expect(st().scoreError).toContain("'nope'");
  });
});

describe('score slice: accuracy measurement', () => {
  it('measures once, 400 ms after the last edit, on the validation slice', async () => {
    await ready();
    for (const s of [0.1, 0.2, 0.3, 0.4]) {
      st().setSparsity(s);
      await vi.advanceTimersByTimeAsync(MEASURE_DEBOUNCE_MS - 100);
    }
    expect(fake.measures).toHaveLength(0);
    expect(st().measureState).toBe('pending');
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.measures).toHaveLength(1);
    expect(st().measureState).toBe('measuring');
    expect(fake.measures[0]!.recipe).toEqual({ sparsity: 0.4 });
    expect(fake.measures[0]!.options).toEqual({ limit: VALIDATION_LIMIT });
    fake.measures[0]!.resolve(measurement());
    await vi.advanceTimersByTimeAsync(0);
    expect(st().measureState).toBe('done');
    expect(st().measurement!.top1).toBe(0.42);
    expect(st().measurement!.recipeKey).toBe('{"sparsity":0.4}');
  });

  it('waits while a slider thumb is held, then measures after the release', async () => {
    await ready();
    st().setSliderHeld(true);
    st().setSparsity(0.2);
    await vi.advanceTimersByTimeAsync(MEASURE_DEBOUNCE_MS);
    st().setSparsity(0.3);
    await vi.advanceTimersByTimeAsync(MEASURE_DEBOUNCE_MS * 5);
    expect(fake.measures).toHaveLength(0);
    expect(st().measureState).toBe('pending');
    st().setSliderHeld(false);
    await vi.advanceTimersByTimeAsync(MEASURE_DEBOUNCE_MS - 1);
    expect(fake.measures).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.measures.map((m) => m.recipe)).toEqual([{ sparsity: 0.3 }]);
  });

  it('an edit cancels the running measurement; its late result is ignored', async () => {
    await ready();
    st().setSparsity(0.3);
    await vi.advanceTimersByTimeAsync(MEASURE_DEBOUNCE_MS);
    const first = fake.measures[0]!;
    st().setSparsity(0.6);
    expect(fake.cancelled).toEqual([first.id]);
    expect(st().measureState).toBe('pending');
    await vi.advanceTimersByTimeAsync(MEASURE_DEBOUNCE_MS);
    expect(fake.measures).toHaveLength(2);
    fake.measures[1]!.resolve(measurement());
    await vi.advanceTimersByTimeAsync(0);
    expect(st().measurement!.recipeKey).toBe('{"sparsity":0.6}');
  });

  it('the full test set on demand: limit null, kept apart from the validation figure', async () => {
    await ready();
    const run = st().measureNow('full');
    expect(st().measureKind).toBe('full');
    expect(fake.measures[0]!.options).toEqual({ limit: null });
    fake.measures[0]!.resolve({ ...measurement(), n: 10000, limit: null });
    await run;
    expect(st().fullMeasurement!.n).toBe(10000);
    expect(st().measurement).toBeNull();
    expect(st().measureJob).toBeNull();
  });

  it('does not measure without a test split, and forgets figures of another network', async () => {
    await ready();
    const run = st().measureNow('validation');
    fake.measures[0]!.resolve(measurement());
    await run;
    expect(st().measurement).not.toBeNull();
    fake.inputs = inputsOf(tiny, tinyWeights, 2);
    adopt();
    expect(st().measurement).toBeNull();
    useLabStore.setState({ summary: null });
    st().setSparsity(0.2);
    expect(st().measureState).toBe('idle');
    await vi.advanceTimersByTimeAsync(MEASURE_DEBOUNCE_MS * 2);
    expect(fake.measures).toHaveLength(1);
  });
});

describe('score slice: URL recipe', () => {
  it('restores a valid recipe and rejects a bad one, naming the field', async () => {
    st().loadRecipeFromUrl('?backend=cpu&recipe=' + encodeURIComponent('{"weightBits":40}'));
    expect(st().recipeError).toContain('recipe.weightBits');
    expect(st().recipeError).toContain('40');
    expect(st().recipe).toEqual({});
    st().loadRecipeFromUrl('?recipe={"sparsity":0.35,"weightBits":8}');
    expect(st().recipe).toEqual({ sparsity: 0.35, weightBits: 8 });
    expect(st().recipeError).toBeNull();
    await ready();
    expect(st().score!.freebie).toBe(false);
  });
});

describe('score slice: OSI-AI MicroNet', () => {
  it('counts 0.006267 as imported (own zeros, freebie, published exit rate)', async () => {
    const graph = buildOsiMicronet();
    fake.inputs = inputsOf(graph, osiWeights(graph));
    adopt();
    expect(st().exitRate).toEqual({ rate: 0.2929, source: 'published' });
    expect(st().score!.score.toFixed(6)).toBe('0.006267');
    const ref = osiReference(st().scoreInputs!, null)!;
    expect(ref.asCounted.score.toFixed(6)).toBe('0.006267');
    expect(ref.asPublished.score.toFixed(6)).toBe('0.005798');
    st().setExitRateOverride(0);
    expect(st().exitRate).toEqual({ rate: 0, source: 'override' });
    expect(st().score!.score).toBeGreaterThan(0.006267);
  });
});
