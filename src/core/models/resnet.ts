/**
 * CIFAR ResNet (He et al. 2016, "Deep Residual Learning", §4.2): depth 6n+2, conv 3×3 → 16,
 * three stages of n basic blocks with 16/32/64 channels (strides 1, 2, 2), global pool, linear.
 * Block: conv3×3(stride) bn relu conv3×3 bn, + shortcut, relu.
 * Shortcut on the two downsampling blocks:
 * - 'A' (default, the paper's CIFAR choice, parameter-free): subsample x[:, ::2, ::2] (avg pool
 *   size 1 stride 2) then zero channels, planes/4 in front and planes/4 behind — the common
 *   implementation (akamaster/pytorch_resnet_cifar10), whose names we use (`linear` head);
 * - 'B': 1×1 conv stride 2 + BN projection (`shortcut.0`, `shortcut.1`).
 * ResNet-20: 269,722 parameters with option A for 10 classes (+5,850 for 100 classes = 275,572);
 * option B adds 2,752 (272,474 for 10 classes).
 */
import type { Graph } from '../graph/ir';
import { GraphBuilder } from './graph-builder';

export interface CifarResNetOptions {
  depth: number;
  numClasses?: number;
  shortcut?: 'A' | 'B';
  inputSize?: number;
}

function shortcutPath(
  b: GraphBuilder,
  q: string,
  input: string,
  inC: number,
  outC: number,
  kind: 'A' | 'B',
): string {
  if (kind === 'B') {
    const c = b.conv(`${q}.shortcut.0`, input, { in: inC, out: outC, k: 1, stride: 2, pad: 0 });
    return b.bn(`${q}.shortcut.1`, c, outC);
  }
  const sub = b.add(`${q}.shortcut`, { op: 'avgpool', size: 1, stride: 2, ceil: false }, [input]);
  const front = (outC - inC) / 2;
  return b.add(`${q}.shortcut_pad`, { op: 'padchannels', channels: outC, front }, [sub]);
}

function basicBlock(
  b: GraphBuilder,
  q: string,
  input: string,
  inC: number,
  outC: number,
  stride: number,
  kind: 'A' | 'B',
): string {
  let x = b.conv(`${q}.conv1`, input, { in: inC, out: outC, k: 3, stride });
  x = b.relu(`${q}.relu1`, b.bn(`${q}.bn1`, x, outC));
  x = b.bn(`${q}.bn2`, b.conv(`${q}.conv2`, x, { in: outC, out: outC, k: 3 }), outC);
  const short = stride !== 1 || inC !== outC ? shortcutPath(b, q, input, inC, outC, kind) : input;
  return b.relu(`${q}.relu2`, b.add(`${q}.add`, { op: 'add' }, [x, short]));
}

export function buildCifarResNet(o: CifarResNetOptions): Graph {
  const { depth } = o;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new Error(`CIFAR ResNet depth must be 6n+2 (20, 32, 44, 56, 110, …), got ${depth}`);
  }
  const n = (depth - 2) / 6;
  const numClasses = o.numClasses ?? 100;
  const kind = o.shortcut ?? 'A';
  const b = new GraphBuilder();
  let x = b.input(o.inputSize ?? 32);
  x = b.relu('relu', b.bn('bn1', b.conv('conv1', x, { in: 3, out: 16, k: 3 }), 16));
  let inC = 16;
  [16, 32, 64].forEach((outC, stage) => {
    for (let i = 0; i < n; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      x = basicBlock(b, `layer${stage + 1}.${i}`, x, inC, outC, stride, kind);
      inC = outC;
    }
  });
  const logits = b.head('avgpool', 'linear', x, 64, numClasses);
  return b.build(kind === 'A' ? `resnet-${depth}` : `resnet-${depth}b`, numClasses, logits);
}
