// graph/forward.ts's inputHook: called once per node with its inputs, in node order, inside the
// node's tidy; what it returns is what the node runs on; it works under gradients; bad returns fail.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forward } from '../../graph/forward';
import type { GraphNode } from '../../graph/ir';
import { randomBatches, randomBnNetwork, tinyGraph } from './nets.test-helpers';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('forward inputHook', () => {
  it('sees every non-input node once, in order, with its inputs; identity changes nothing', () => {
    const graph = tinyGraph();
    const net = randomBnNetwork(graph, 1);
    const [x] = randomBatches(1, [2, 8, 8, 3], 2);
    const seen: string[] = [];
    const shapes: number[][] = [];
    const hooked = net.forward(x!, {
      training: false,
      inputHook: (node: GraphNode, ins: tf.Tensor[]) => {
        seen.push(node.name);
        if (node.name === 'conv1') shapes.push(ins[0]!.shape);
        return ins;
      },
    });
    const plain = net.predict(x!);
    expect(seen).toEqual(graph.nodes.filter((n) => n.spec.op !== 'input').map((n) => n.name));
    expect(shapes).toEqual([[2, 8, 8, 3]]);
    expect(Array.from(hooked.output.dataSync())).toEqual(Array.from(plain.dataSync()));
    tf.dispose([x!, hooked.output, plain]);
    net.dispose();
  });

  it('replaces inputs (tensors it makes are freed) and carries gradients through them', () => {
    const graph = tinyGraph();
    const net = randomBnNetwork(graph, 3);
    const [x] = randomBatches(1, [2, 8, 8, 3], 4);
    // zero the fc input: every row of logits is the fc bias
    const zeroFc = (node: GraphNode, ins: tf.Tensor[]) =>
      node.name === 'fc' ? [tf.zerosLike(ins[0]!)] : ins;
    const y = net.forward(x!, { training: false, inputHook: zeroFc }).output;
    const bias = net.getTensor('fc.bias').dataSync();
    const row = Array.from(y.dataSync()).slice(0, 10);
    expect(row).toEqual(Array.from(bias));
    // gradient through a hook that scales fc's input by k (fc is linear): grad_k = k · grad_1
    const lookup = net.lookup();
    const grad = (k: number) =>
      tf.grad((t: tf.Tensor) =>
        tf.sum(
          forward(graph, lookup, t as tf.Tensor4D, {
            training: false,
            inputHook: (node, ins) => (node.name === 'fc' ? [tf.mul(ins[0]!, k)] : ins),
          }).output,
        ),
      )(x!);
    const g1 = grad(1);
    const g3 = grad(3);
    const direct = tf.grad((t: tf.Tensor) => tf.sum(net.predict(t as tf.Tensor4D)))(x!);
    expect(Array.from(g1.dataSync())).toEqual(Array.from(direct.dataSync()));
    const a1 = g1.dataSync();
    const a3 = g3.dataSync();
    let worst = 0;
    let any = 0;
    for (let i = 0; i < a1.length; i++) {
      worst = Math.max(worst, Math.abs(a3[i]! - 3 * a1[i]!));
      any = Math.max(any, Math.abs(a1[i]!));
    }
    expect(any).toBeGreaterThan(1e-3);
    expect(worst).toBeLessThan(1e-5 * 3 * any);
    tf.dispose([x!, y, g1, g3, direct]);
    net.dispose();
  });

  it('fails clearly when the hook returns the wrong number of tensors', () => {
    const net = randomBnNetwork(tinyGraph(), 5);
    const [x] = randomBatches(1, [1, 8, 8, 3], 6);
    expect(() =>
      net.forward(x!, { training: false, inputHook: (n, ins) => (n.name === 'fc' ? [] : ins) }),
    ).toThrow("inputHook for 'fc' must return 1 tensor(s), got 0 tensor(s)");
    x!.dispose();
    net.dispose();
  });
});
