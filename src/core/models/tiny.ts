/**
 * Tiny test / benchmark net, "conv16-32-64 CNN (BN+ReLU, global pool, fc-100)":
 * conv 3→16 (s1) BN ReLU, conv 16→32 (s2) BN ReLU, conv 32→64 (s2) BN ReLU, global mean, fc.
 * 3×3 convs with padding 1, no bias; 30,196 parameters for 100 classes.
 */
import type { Graph } from '../graph/ir';
import { GraphBuilder } from './graph-builder';

export interface TinyNetOptions {
  numClasses?: number;
  /** Square input size (default 32; tests use 8 to stay fast). */
  inputSize?: number;
}

export function buildTinyNet(o: TinyNetOptions = {}): Graph {
  const numClasses = o.numClasses ?? 100;
  const b = new GraphBuilder();
  let x = b.input(o.inputSize ?? 32);
  let inC = 3;
  [16, 32, 64].forEach((outC, i) => {
    const id = i + 1;
    x = b.conv(`conv${id}`, x, { in: inC, out: outC, k: 3, stride: i === 0 ? 1 : 2 });
    x = b.relu(`relu${id}`, b.bn(`bn${id}`, x, outC));
    inC = outC;
  });
  return b.build('tiny', numClasses, b.head('avgpool', 'fc', x, 64, numClasses));
}
