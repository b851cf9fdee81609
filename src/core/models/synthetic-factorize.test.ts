// Synthetic factorization: hand-counted parameters of the tiny net's factorized form, valid shapes
// and the 816 layers of PyramidNet-272 α200 (271 convs + 1 fc, each → 3).
import { describe, expect, it } from 'vitest';
import { countParams } from '../graph/params';
import { inferShapes } from '../graph/shapes';
import { factorize } from './synthetic-factorize';
import { buildTinyNet } from './tiny';
import { buildFromZooName } from './zoo';

const layers = (g: ReturnType<typeof buildTinyNet>) =>
  g.nodes.filter((n) => n.spec.op === 'conv2d' || n.spec.op === 'dense');

describe('factorize', () => {
  it('replaces each conv / fc by three layers with the hand-counted parameters', () => {
    const g = factorize(buildTinyNet());
    expect(g.name).toBe('tiny-factorized');
    expect(layers(g).map((n) => n.name)).toEqual(
      ['conv1', 'conv2', 'conv3', 'fc'].flatMap((n) => [`${n}.basis_in`, `${n}.core`, n]),
    );
    // conv1 3→16, r 1: 3 + 9 + 16; conv2 16→32, r 8: 128 + 576 + 256; conv3 32→64, r 16:
    // 512 + 2304 + 1024; fc 64→100, r 32: 2048 + 1024 + 3200 + 100 bias; BN 2·(16+32+64).
    expect(countParams(g)).toBe(28 + 960 + 3840 + 6372 + 224);
    const shapes = inferShapes(g);
    expect(shapes.get('conv3')).toEqual(shapes.get('bn3'));
  });

  it('gives PyramidNet-272 α200 816 layers with valid shapes', () => {
    const plain = buildFromZooName('pyramidnet-bottleneck-272-a200');
    const g = factorize(plain);
    expect(layers(plain)).toHaveLength(272);
    expect(layers(g)).toHaveLength(816);
    expect(() => inferShapes(g)).not.toThrow();
  });
});
