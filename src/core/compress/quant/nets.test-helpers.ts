// Test-only helpers: small graphs with non-trivial BN statistics, and input batches.
import * as tf from '@tensorflow/tfjs-core';
import type { Graph, Weights } from '../../graph/ir';
import { Network } from '../../graph/network';
import { initWeights } from '../../graph/params';
import { buildCifarResNet } from '../../models/resnet';
import { buildTinyNet } from '../../models/tiny';
import { makeRng, randNormal } from '../../util/rng';

/** Tiny CNN (conv16-32-64, BN, ReLU, pool, fc) on 8×8 inputs. */
export function tinyGraph(numClasses = 10): Graph {
  return buildTinyNet({ numClasses, inputSize: 8 });
}

/** ResNet-20 (option A shortcuts) on 8×8 inputs. */
export function resnet20Graph(numClasses = 10): Graph {
  return buildCifarResNet({ depth: 20, numClasses, inputSize: 8 });
}

/** Seeded weights; BN weight/var in [0.5, 1.5), BN bias/mean and conv biases in [−0.5, 0.5). */
export function randomBnWeights(graph: Graph, seed: number): Weights {
  const w = initWeights(graph, seed);
  const rng = makeRng(seed + 1000);
  const bns = new Set(graph.nodes.filter((n) => n.spec.op === 'batchnorm').map((n) => n.name));
  for (const [name, t] of w) {
    const node = name.slice(0, name.lastIndexOf('.'));
    if (!bns.has(node)) continue;
    const positive = name.endsWith('running_var') || name.endsWith('.weight');
    t.data = t.data.map(() => (positive ? 0.5 + rng() : rng() - 0.5));
  }
  return w;
}

export function randomBnNetwork(graph: Graph, seed: number): Network {
  return Network.fromWeights(graph, randomBnWeights(graph, seed));
}

/** Standard-normal NHWC batches [n, h, w, c] (the caller disposes them). */
export function randomBatches(
  count: number,
  shape: [number, number, number, number],
  seed: number,
): tf.Tensor4D[] {
  const rng = makeRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: count }, () =>
    tf.tensor4d(
      Float32Array.from({ length: size }, () => randNormal(rng)),
      shape,
    ),
  );
}
