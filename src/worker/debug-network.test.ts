// debugUseNetwork on the cpu backend: the requested zoo network (optionally factorized) becomes
// current with seeded weights, replaces and disposes the previous one, and bad requests fail.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { countParams } from '../core/graph/params';
import { factorize } from '../core/models/synthetic-factorize';
import { buildFromZooName } from '../core/models/zoo';
import { CurrentNetwork } from './current-network';
import { debugUseNetwork } from './debug-network';

let current = new CurrentNetwork();
afterEach(() => {
  current.network?.dispose();
  current = new CurrentNetwork();
});

describe('debugUseNetwork', () => {
  it('makes the factorized tiny net current, then replaces it without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const info = debugUseNetwork(current, { zooName: 'tiny', factorized: true, seed: 3 });
    expect(info).toMatchObject({ name: 'tiny-factorized', origin: 'initialised', source: null });
    expect(info.params).toBe(countParams(factorize(buildFromZooName('tiny'))));
    const core = await current.network!.getTensor('conv2.core.weight').data();
    const again = new CurrentNetwork();
    debugUseNetwork(again, { zooName: 'tiny', factorized: true, seed: 3 });
    expect(await again.network!.getTensor('conv2.core.weight').data()).toEqual(core);
    again.network!.dispose();
    const plain = debugUseNetwork(current, { zooName: 'tiny' });
    expect(plain.name).toBe('tiny');
    current.network!.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an unknown zoo name and a fractional seed, keeping the current network', () => {
    debugUseNetwork(current, { zooName: 'tiny' });
    const net = current.network;
    expect(() => debugUseNetwork(current, { zooName: 'nope' })).toThrow(/unknown model 'nope'/);
    expect(() => debugUseNetwork(current, { zooName: 'tiny', seed: 1.5 })).toThrow(/seed.*1\.5/);
    expect(current.network).toBe(net);
  });
});
