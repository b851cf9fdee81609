// Test-only: small lab networks for Hessian checks — the zoo's tiny conv/BN/ReLU/dense net at
// 8×8, and a graph with OSI's block ingredients (1×1 expand, depthwise, swish, squeeze-excite
// with sigmoid gate and broadcast mul, nearest upsample mid-network) plus ceil-mode avgpool,
// zero channel padding, add, concat, ShakeDrop (eval) and hswish — with non-trivial BN running
// statistics and affine parameters, and random labelled batches.
import { Network } from '../../graph/network';
import type { Graph, NodeSpec, Weights } from '../../graph/ir';
import { GraphBuilder } from '../../models/graph-builder';
import { buildTinyNet } from '../../models/tiny';
import type { Batch } from '../../train/types';
import { makeRng, randNormal } from '../../util/rng';

export const CLASSES = 5;
const SIZE = 8;

export function tinyConvGraph(): Graph {
  return buildTinyNet({ inputSize: SIZE, numClasses: CLASSES });
}

export function osiLikeGraph(): Graph {
  const b = new GraphBuilder();
  const conv = (name: string, input: string, o: Partial<NodeSpec & { op: 'conv2d' }>) =>
    b.add(
      name,
      {
        op: 'conv2d',
        kernel: 1,
        stride: 1,
        padding: 'valid',
        bias: false,
        inChannels: 1,
        outChannels: 1,
        ...o,
      } as NodeSpec,
      [input],
    );
  const act = (name: string, input: string, fn: 'swish' | 'sigmoid' | 'hswish') =>
    b.add(name, { op: 'activation', fn }, [input]);
  const x = b.input(SIZE);
  let s = conv('stem', x, { kernel: 3, padding: [1, 1, 1, 1], inChannels: 3, outChannels: 6 });
  s = act('stem_swish', b.bn('stem_bn', s, 6), 'swish'); // [N,8,8,6]
  let e = conv('expand', s, { inChannels: 6, outChannels: 12 });
  e = act('expand_swish', b.bn('expand_bn', e, 12), 'swish');
  const dwSpec: NodeSpec = {
    op: 'depthwise2d',
    channels: 12,
    kernel: 3,
    stride: 2,
    padding: [0, 1, 0, 1],
    bias: false,
  };
  let d = b.add('dw', dwSpec, [e]); // [N,4,4,12]
  d = act('dw_swish', b.bn('dw_bn', d, 12), 'swish');
  const pooled = b.add('se_pool', { op: 'globalavgpool', keepDims: true }, [d]);
  let g = conv('se_reduce', pooled, { inChannels: 12, outChannels: 3, bias: true });
  g = act('se_swish', g, 'swish');
  g = conv('se_expand', g, { inChannels: 3, outChannels: 12, bias: true });
  g = act('se_gate', g, 'sigmoid');
  const se = b.add('se_mul', { op: 'mul' }, [d, g]);
  const up = b.add('up', { op: 'upsample', height: 7, width: 7 }, [se]); // [N,7,7,12]
  const proj = b.bn('proj_bn', conv('proj', up, { inChannels: 12, outChannels: 6 }), 6);
  const pool = b.add('pool', { op: 'avgpool', size: 2, stride: 2, ceil: true }, [proj]); // [N,4,4,6]
  const padded = b.add('pad', { op: 'padchannels', channels: 8, front: 1 }, [pool]);
  const side0 = b.add('side_pool', { op: 'avgpool', size: 2, stride: 2, ceil: false }, [s]);
  const side = conv('side', side0, { inChannels: 6, outChannels: 8, bias: true });
  const sum = b.add('sum', { op: 'add' }, [padded, side]);
  const dropped = b.add('drop', { op: 'shakedrop', p: 0.3 }, [sum]);
  const cat = b.add('cat', { op: 'concat' }, [dropped, pool]); // [N,4,4,14]
  const h = act('hswish', cat, 'hswish');
  return b.build('osi-like', CLASSES, b.head('gap', 'fc', h, 14, CLASSES));
}

/** Seeded init, then BN running stats / affine and conv biases made non-trivial. */
export function randomNetwork(graph: Graph, seed: number): Network {
  const net = Network.fromInit(graph, seed);
  const w: Weights = net.toWeights();
  const rng = makeRng(seed + 7);
  for (const [name, t] of w) {
    const set = (f: () => number) => t.data.forEach((_, i) => (t.data[i] = f()));
    if (name.endsWith('.running_mean')) set(() => 0.2 * randNormal(rng));
    else if (name.endsWith('.running_var')) set(() => 0.5 + rng());
    else if (name.endsWith('_bn.weight') || /^bn\d\.weight$/.test(name))
      set(() => 1 + 0.3 * randNormal(rng));
    else if (name.endsWith('.bias')) set(() => 0.1 * randNormal(rng));
  }
  net.loadWeights(w);
  return net;
}

/** Random normalised images [h, w, c] and labels, in batches of the given sizes. */
export function randomBatches(
  sizes: number[],
  seed: number,
  image: [number, number, number] = [SIZE, SIZE, 3],
): Batch[] {
  const rng = makeRng(seed);
  const per = image[0] * image[1] * image[2];
  return sizes.map((n) => ({
    x: Float32Array.from({ length: n * per }, () => randNormal(rng)),
    y: Int32Array.from({ length: n }, () => Math.floor(rng() * CLASSES)),
  }));
}

/** input 4×4×2 → conv 3×3 2→3 → BN → ReLU → global mean → dense 3→5: 80 parameters. */
export function microGraph(): Graph {
  const b = new GraphBuilder();
  let x = b.input(4, 2);
  x = b.relu('relu1', b.bn('bn1', b.conv('conv1', x, { in: 2, out: 3, k: 3 }), 3));
  return b.build('micro', CLASSES, b.head('gap', 'fc', x, 3, CLASSES));
}
