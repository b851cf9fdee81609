// Stale results (fake worker): a result keeps the key of the network it was measured on and, where
// the recipe shaped it, the recipe's; another current network or recipe labels it stale. "Export
// for PyTorch" keeps both keys with its .zip (and its job spec, for a restart after a worker loss);
// a sensitivity report is stale for another network, and for another recipe.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { recipeJson } from '../core/recipe/index';
import type { TorchExportResult } from '../worker/lab-types';
import type { SensitivityResult } from '../protocol/sensitivity';

const fake = vi.hoisted(() => ({ key: 'net#1', exports: [] as unknown[][] }));

vi.mock('../client/lab-client', () => ({
  getLab: () => ({
    networkKey: () => Promise.resolve(fake.key),
    cancel: () => Promise.resolve(true),
    exportTorchJob: (...args: unknown[]): Promise<TorchExportResult> => {
      fake.exports.push(args);
      return Promise.resolve({
        fileName: 'tiny-torch-job.zip',
        bytes: new Uint8Array([80, 75, 5, 6]),
        entries: ['tiny-torch-job/job.json', 'tiny-torch-job/recipe.json'],
        goldenSource: 'first 8 test records',
        recipe: args[1] as TorchExportResult['recipe'],
      });
    },
  }),
  callback: <T>(fn: T) => fn,
  newJobId: (kind: string) => `${kind}-1`,
  isAbort: () => false,
  errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

const { useLabStore } = await import('./lab-store');
const { staleReason } = await import('./stale');
const { sensitivityStaleReason } = await import('./sensitivity-slice');
const st = () => useLabStore.getState();

beforeEach(() => {
  fake.key = 'net#1';
  fake.exports = [];
  useLabStore.setState({ currentNetworkKey: 'net#1', recipe: { sparsity: 0.5 } });
});

describe('staleReason', () => {
  it('names another network first, then another recipe; unknown keys are not stale', () => {
    const k = { networkKey: 'net#1', recipeKey: recipeJson({ sparsity: 0.5 }) };
    expect(staleReason(st(), k)).toBeNull();
    expect(staleReason(st(), null)).toBeNull();
    expect(staleReason(st(), { networkKey: null, recipeKey: null })).toBeNull();
    useLabStore.setState({ recipe: { sparsity: 0.6 } });
    expect(staleReason(st(), k)).toBe('recipe');
    expect(staleReason(st(), { networkKey: 'net#1' })).toBeNull(); // no recipe: only the network
    useLabStore.setState({ currentNetworkKey: 'net#2' });
    expect(staleReason(st(), k)).toBe('network');
  });
});

describe('Export for PyTorch (store)', () => {
  it('keeps the zip with its network and recipe keys; an edit makes it stale', async () => {
    URL.createObjectURL = () => 'blob:zip';
    URL.revokeObjectURL = () => undefined;
    await st().exportTorchJob();
    expect(fake.exports).toHaveLength(1);
    expect(fake.exports[0]![1]).toEqual({ sparsity: 0.5 });
    expect(st().torchExport).toMatchObject({
      fileName: 'tiny-torch-job.zip',
      url: 'blob:zip',
      bytes: 4,
      networkKey: 'net#1',
      recipeKey: recipeJson({ sparsity: 0.5 }),
      goldenSource: 'first 8 test records',
    });
    expect(st().jobs.model).toBeNull();
    expect(staleReason(st(), st().torchExport)).toBeNull();
    useLabStore.setState({ recipe: { sparsity: 0.7 } });
    expect(staleReason(st(), st().torchExport)).toBe('recipe');
  });
});

describe('sensitivityStaleReason', () => {
  it('is stale for another network, and for another recipe', () => {
    const report = { layers: [] } as unknown as SensitivityResult;
    useLabStore.setState({
      sensitivity: report,
      sensitivityNetworkId: 3,
      sensitivityRecipeKey: recipeJson({ sparsity: 0.5 }),
      scoreInputs: { networkId: 3 } as never,
    });
    expect(sensitivityStaleReason(st())).toBeNull();
    useLabStore.setState({ recipe: { sparsity: 0.4 } });
    expect(sensitivityStaleReason(st())).toBe('recipe');
    useLabStore.setState({ scoreInputs: { networkId: 4 } as never });
    expect(sensitivityStaleReason(st())).toBe('network');
    useLabStore.setState({ scoreInputs: null });
  });
});
