// readNetworkChange on a real current network and score service (tiny net, cpu): the change
// carries the network, its key and score inputs (the same ones scoreInputs() gives), the
// analysis id and the kept schedule the services report; a failure to read the score inputs
// becomes text, not a rejection; without a network everything is null. withChange marks the
// profile buffers for transfer.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Network } from '../core/graph/network';
import { buildTinyNet } from '../core/models/tiny';
import { CurrentNetwork } from './current-network';
import { changeBuffers, readNetworkChange, withChange } from './network-change';
import { ScoreService } from './score-service';

const backend = () => Promise.resolve({ name: 'cpu', reason: 'test', forced: true, fallbacks: [] });
const saved = { iteration: 1, iterations: 3, history: [] };

describe('readNetworkChange', () => {
  it('reads the current network once from the services that own each part', async () => {
    await tf.setBackend('cpu');
    const current = new CurrentNetwork();
    const scores = new ScoreService(backend, current, 100);
    const sources = {
      current,
      scores,
      analysis: { validId: () => 7 },
      pruner: { savedSchedule: () => saved },
    };
    const none = await readNetworkChange(sources);
    expect(none).toMatchObject({ network: null, networkKey: null, scoreInputs: null });

    current.replace(Network.fromInit(buildTinyNet(), 1), 'trained');
    const c = await readNetworkChange(sources);
    expect(c.network).toEqual(current.info());
    expect(c.scoreInputs?.networkId).toBe(100);
    expect(c.networkKey).toBe(c.scoreInputs?.networkKey);
    expect(c.networkKey).toBe(await scores.networkKey());
    expect([c.scoreInputsError, c.analysisId, c.scheduleSaved]).toEqual([null, 7, saved]);
    expect(changeBuffers(c)).toHaveLength(c.scoreInputs!.profile.layers.length);
    expect(withChange({ ok: true }, c)).toEqual({ ok: true, change: c });

    const broken = {
      ...sources,
      scores: {
        ...scores,
        inputs: () => Promise.reject(new Error('no profile')),
        networkKey: () => scores.networkKey(),
      },
    };
    const failed = await readNetworkChange(broken);
    expect([failed.scoreInputs, failed.scoreInputsError]).toEqual([null, 'no profile']);
    expect(failed.networkKey).toBe(c.networkKey);
    current.network?.dispose();
  });
});
