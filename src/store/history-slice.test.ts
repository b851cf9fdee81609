// History slice on fake-indexeddb with a fake worker (lab-client mocked): a training run saves
// the network's checkpoint and the score of the recipe in force (the core's exact count); edits
// measured on that network link to it without new copies, an edit on an unsaved network saves one
// once; an over-cap network is recorded without one; a full quota is shown and the run stays
// (restorable) in memory until saved again; runs come back after a "reload"; restore imports the
// saved bytes through the Model panel's path (no new row) and sets the recipe; delete removes a
// checkpoint with its last run only.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { layerZeroFractions, magnitudeProfile } from '../core/compress/sparsity/index';
import { scoreModel } from '../core/compress/score-model';
import { initWeights } from '../core/graph/params';
import { buildTinyNet } from '../core/models/tiny';
import type {
  ExportResult,
  ImportResult,
  ImportSource,
  NetworkInfo,
  RecipeMeasurement,
  ScoreInputs,
  TrainSummary,
} from '../worker/lab-types';

const fake = vi.hoisted(() => ({
  inputs: null as ScoreInputs | null,
  exportBytes: new Uint8Array([1, 2, 3]) as Uint8Array | { byteLength: number },
  exports: 0,
  imported: [] as ImportSource[],
  /** networkId the fake worker gives the network an import makes current. */
  importNetworkId: 7,
}));

vi.mock('../client/lab-client', () => {
  let n = 0;
  const net = (): NetworkInfo => ({
    name: 'tiny',
    origin: 'imported',
    source: null,
    params: 30196,
    extraOutputs: [],
  });
  return {
    getLab: () => ({
      scoreInputs: () => Promise.resolve(fake.inputs && { ...fake.inputs }),
      exportCheckpoint: (): Promise<ExportResult> => {
        fake.exports++;
        const bytes = fake.exportBytes as Uint8Array;
        return Promise.resolve({ fileName: 'tiny.safetensors', bytes, network: net() });
      },
      importCheckpoint: (_id: string, source: ImportSource): Promise<ImportResult> => {
        fake.imported.push(source);
        if (fake.inputs) fake.inputs = { ...fake.inputs, networkId: fake.importNetworkId };
        const name = source.kind === 'file' ? source.file.name : source.url;
        const report = {
          fileName: name,
          bytes: 3,
          format: 'micronet-lab',
        } as ImportResult['report'];
        const inputs = fake.inputs && { ...fake.inputs };
        const change = {
          network: net(),
          networkKey: inputs?.networkKey ?? null,
          scoreInputs: inputs,
          scoreInputsError: null,
          analysisId: null,
          scheduleSaved: null,
        };
        return Promise.resolve({ report, network: net(), change });
      },
      cancel: () => Promise.resolve(true),
    }),
    callback: <T>(fn: T) => fn,
    newJobId: (kind: string) => `${kind}-${++n}`,
    isAbort: (e: unknown) => e instanceof Error && e.name === 'AbortError',
    errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
  };
});

const { useLabStore } = await import('./lab-store');
const { trainRun } = await import('./history-runs');
const { CHECKPOINT_CAP_BYTES, getHistoryDb } = await import('../persist/history-db');
const { storageError } = await import('../persist/storage-error');
const { changeOf } = await import('./network-change.test-helpers');
const initial = useLabStore.getState();
const st = () => useLabStore.getState();

const tiny = buildTinyNet();
const tinyWeights = initWeights(tiny, 1);

function inputsOf(networkId: number): ScoreInputs {
  return {
    graph: tiny,
    profile: magnitudeProfile(tiny, tinyWeights),
    layerZeroFraction: layerZeroFractions(tiny, tinyWeights),
    exitRate: null,
    network: { name: 'tiny', origin: 'trained', source: null, params: 30196, extraOutputs: [] },
    networkId,
    networkKey: `tiny#${networkId}`,
  };
}

const SUMMARY: TrainSummary = {
  steps: 3,
  epochs: 1,
  cancelled: false,
  finalLoss: 4.5,
  finalAccuracy: 0.02,
  seconds: 2,
};

/** A finished measurement of the store's current recipe on network `networkId`. */
function measured(networkId: number, top1 = 0.42) {
  const m: RecipeMeasurement = {
    top1,
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
    limit: 500,
    seconds: 1,
  };
  return { ...m, kind: 'validation' as const, recipeKey: JSON.stringify(st().recipe) };
}

/** The NetworkChange of `fake.inputs`, applied as after a network-changing call. */
function adopt(): void {
  st().applyNetworkChange(changeOf(fake.inputs?.network ?? null, fake.inputs));
}

/** The Score panel's state for network `networkId` with `recipe` (scored by the store). */
function scoreState(networkId: number, recipe = '{}'): Promise<void> {
  fake.inputs = inputsOf(networkId);
  st().loadRecipeFromUrl(`?recipe=${encodeURIComponent(recipe)}`);
  adopt();
  return Promise.resolve();
}

beforeEach(async () => {
  await st().clearHistory();
  useLabStore.setState(initial, true);
  fake.exportBytes = new Uint8Array([1, 2, 3]);
  fake.exports = 0;
  fake.imported = [];
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('history slice: recording', () => {
  it('saves a training run with its checkpoint and the exact score of the recipe in force', async () => {
    await scoreState(1, '{"weightBits":8}');
    await st().recordRun(trainRun('tiny', SUMMARY));
    const [run] = st().runs;
    expect(run).toMatchObject({
      kind: 'train',
      label: 'Trained tiny: 3 steps',
      model: 'tiny',
      params: 30196,
      recipe: { weightBits: 8 },
      accuracy: null,
      seconds: 2,
      saved: true,
      checkpointNote: null,
    });
    expect(run!.score!.score).toBe(scoreModel(tiny, tinyWeights, { weightBits: 8 }).score);
    expect(run!.score!.score).toBe(st().score!.score); // what the Score panel shows
    expect(st().currentCheckpoint).toEqual({ id: run!.checkpointId, networkId: 1 });
    const db = await getHistoryDb();
    expect((await db.listRuns()).map((r) => r.id)).toEqual([run!.id]);
    expect(Array.from((await db.getCheckpoint(run!.checkpointId!))!.bytes)).toEqual([1, 2, 3]);
  });

  it('links edits to the checkpoint of the network they were measured on', async () => {
    await scoreState(1);
    await st().recordRun(trainRun('tiny', SUMMARY));
    const ckpt = st().runs[0]!.checkpointId;
    st().setSparsity(0.5);
    await st().recordRun({ kind: 'edit', measurement: measured(1, 0.3) });
    expect(fake.exports).toBe(1); // no copy per edit
    const edit = st().runs[0]!;
    expect(edit).toMatchObject({
      kind: 'edit',
      label: 'sparsity 50 % (validation slice)',
      recipe: { sparsity: 0.5 },
      accuracy: { top1: 0.3, n: 500 },
      checkpointId: ckpt,
    });
    expect(edit.score!.score).toBe(st().score!.score);

    // A network no run saved (e.g. built by Evaluate): saved once, then shared.
    await scoreState(2);
    await st().recordRun({ kind: 'edit', measurement: measured(2) });
    st().setSparsity(0.25);
    await st().recordRun({ kind: 'edit', measurement: measured(2, 0.5) });
    expect(fake.exports).toBe(2);
    const [b, a] = st().runs;
    expect(a!.checkpointId).not.toBe(ckpt);
    expect(b!.checkpointId).toBe(a!.checkpointId);
    expect(st().runs.map((r) => r.kind)).toEqual(['edit', 'edit', 'edit', 'train']);

    // One row per (network, recipe): measuring the pair again updates its row.
    await st().recordRun({ kind: 'edit', measurement: measured(2, 0.6) });
    expect(st().runs.map((r) => r.kind)).toEqual(['edit', 'edit', 'edit', 'train']);
    expect(st().runs[0]).toMatchObject({ id: b!.id, accuracy: { top1: 0.6, n: 500 } });
    expect(fake.exports).toBe(2);
  });

  it('records an over-cap network without a checkpoint and says so', async () => {
    await scoreState(1);
    fake.exportBytes = { byteLength: CHECKPOINT_CAP_BYTES + 1 };
    await st().recordRun(trainRun('tiny', SUMMARY));
    expect(st().runs[0]).toMatchObject({
      checkpointId: null,
      checkpointNote: 'network not saved: 64 MB is over the 64 MB cap',
      saved: true,
    });
    expect(st().currentCheckpoint).toBeNull();
    // Its edits say so too, without exporting the big network again.
    await st().recordRun({ kind: 'edit', measurement: measured(1) });
    expect(st().runs[0]).toMatchObject({ kind: 'edit', checkpointId: null });
    expect(st().runs[0]!.checkpointNote).toMatch(/^network not saved: /);
    expect(fake.exports).toBe(1);
  });

  it('shows a full quota, keeps the run in memory (restorable) and saves it again later', async () => {
    await scoreState(1, '{"sparsity":0.25}');
    const db = await getHistoryDb();
    const quota = new DOMException('no room', 'QuotaExceededError');
    vi.spyOn(db, 'saveRun').mockRejectedValueOnce(storageError('the run "x"', quota));
    await st().recordRun(trainRun('tiny', SUMMARY));
    expect(st().historyError).toBe(
      'Browser storage is full: could not save the run "x". Delete runs in the History panel or clear the dataset cache, then retry.',
    );
    const run = st().runs[0]!;
    expect(run.saved).toBe(false);
    expect(await db.listRuns()).toEqual([]);

    // Restorable from memory this session.
    await scoreState(5);
    await st().restoreRun(run.id);
    expect(st().historyError).toBeNull();
    const src = fake.imported[0]!;
    expect(src.kind === 'file' && Array.from(new Uint8Array(await src.file.arrayBuffer()))).toEqual(
      [1, 2, 3],
    );

    await st().saveUnsaved();
    expect(st().runs[0]!.saved).toBe(true);
    expect((await db.listRuns()).map((r) => r.id)).toEqual([run.id]);
    expect(await db.getCheckpoint(run.checkpointId!)).toBeDefined();
  });

  it('never throws when the worker fails; the error is shown', async () => {
    fake.inputs = null;
    fake.exportBytes = undefined as unknown as Uint8Array; // export then fails to read its size
    await expect(st().recordRun(trainRun('tiny', SUMMARY))).resolves.toBeUndefined();
    expect(st().historyError).toMatch(/^Could not record "Trained tiny: 3 steps" in the history: /);
    expect(st().runs).toEqual([]);
  });
});

describe('history slice: load, restore, delete', () => {
  it('loads the saved runs after a reload', async () => {
    await scoreState(1);
    await st().recordRun(trainRun('tiny', SUMMARY));
    await st().recordRun({ kind: 'edit', measurement: measured(1) });
    const ids = st().runs.map((r) => r.id);
    useLabStore.setState(initial, true); // the page reloads
    expect(st().runs).toEqual([]);
    await st().loadHistory();
    expect(st().historyLoaded).toBe(true);
    expect(st().runs.map((r) => r.id)).toEqual(ids);
    expect(st().runs.every((r) => r.saved)).toBe(true);
  });

  it('restores the network through the import path (no new row) and the recipe', async () => {
    await scoreState(1, '{"weightBits":8}');
    await st().recordRun(trainRun('tiny', SUMMARY));
    const run = st().runs[0]!;
    await scoreState(2, '{"sparsity":0.5}'); // another network and recipe since
    await st().restoreRun(run.id);
    expect(st().historyNotice).toBe('Restored "Trained tiny: 3 steps": tiny and its recipe.');
    expect(fake.imported).toHaveLength(1);
    expect(fake.imported[0]!.kind === 'file' && fake.imported[0]!.file.name).toBe(
      'tiny.safetensors',
    );
    expect(st().recipe).toEqual({ weightBits: 8 });
    expect(st().runs).toHaveLength(1);
    // The import's own record marks the restored checkpoint current (the fake gave it id 7).
    await st().recordRun({ kind: 'edit', measurement: measured(7) }); // waits for the queue
    expect(st().currentCheckpoint).toEqual({ id: run.checkpointId, networkId: 7 });
    expect(st().runs[0]!.checkpointId).toBe(run.checkpointId);
    expect(fake.exports).toBe(1);

    // An edit of the current network: only its recipe comes back.
    adopt();
    await st().restoreRun(run.id);
    expect(fake.imported).toHaveLength(1);
  });

  it('deletes a checkpoint with the last run that uses it', async () => {
    await scoreState(1);
    await st().recordRun(trainRun('tiny', SUMMARY));
    await st().recordRun({ kind: 'edit', measurement: measured(1) });
    const [edit, train] = st().runs;
    const ckpt = train!.checkpointId!;
    st().toggleCompare(edit!.id);
    st().toggleCompare(train!.id);
    const db = await getHistoryDb();
    await st().deleteRun(train!.id);
    expect(st().runs.map((r) => r.id)).toEqual([edit!.id]);
    expect(st().compareIds).toEqual([edit!.id]);
    expect(await db.getCheckpoint(ckpt)).toBeDefined();
    expect(st().currentCheckpoint?.id).toBe(ckpt);
    await st().deleteRun(edit!.id);
    expect(await db.getCheckpoint(ckpt)).toBeUndefined();
    expect(st().currentCheckpoint).toBeNull();
    expect(await db.listRuns()).toEqual([]);
  });

  it('keeps two runs to compare and clears everything', async () => {
    st().toggleCompare('a');
    st().toggleCompare('b');
    st().toggleCompare('c');
    expect(st().compareIds).toEqual(['b', 'c']);
    st().toggleCompare('b');
    expect(st().compareIds).toEqual(['c']);
    await scoreState(1);
    await st().recordRun(trainRun('tiny', SUMMARY));
    await st().clearHistory();
    expect(st().runs).toEqual([]);
    expect(await (await getHistoryDb()).listRuns()).toEqual([]);
  });
});
