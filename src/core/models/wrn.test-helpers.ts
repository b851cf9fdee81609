/**
 * Wide Residual Network (Zagoruyko & Komodakis 2016, "Wide Residual Networks"), CIFAR variant:
 * depth 6n+4, widen factor k; conv 3×3 3→16, three groups of n pre-activation blocks with
 * 16k/32k/64k channels (strides 1, 2, 2), BN → ReLU → global mean → fc.
 * Block: bn1 relu conv3×3(stride) bn2 relu conv3×3, + shortcut; when the width or stride
 * changes the shortcut is a 1×1 conv (stride) on relu(bn1(x)), as in the reference PyTorch
 * port (xternalz/WideResNet-pytorch), whose module names we use. Dropout (train only) omitted.
 * WRN-28-10 for 100 classes: 36,536,884 parameters (36,518,932 counted the MicroNet way, BN
 * excluded) — the MicroNet Challenge CIFAR-100 baseline. Test helper: the counting tests build it
 * to check the baseline; the zoo (zoo.ts) does not offer it.
 */
import type { Graph } from '../graph/ir';
import { GraphBuilder } from './graph-builder';

export interface WideResNetOptions {
  depth: number;
  widen: number;
  numClasses?: number;
  inputSize?: number;
}

function wideBlock(
  b: GraphBuilder,
  q: string,
  input: string,
  inC: number,
  outC: number,
  stride: number,
): string {
  const pre = b.relu(`${q}.relu1`, b.bn(`${q}.bn1`, input, inC));
  let x = b.conv(`${q}.conv1`, pre, { in: inC, out: outC, k: 3, stride });
  x = b.relu(`${q}.relu2`, b.bn(`${q}.bn2`, x, outC));
  x = b.conv(`${q}.conv2`, x, { in: outC, out: outC, k: 3 });
  const short =
    inC === outC && stride === 1
      ? input
      : b.conv(`${q}.convShortcut`, pre, { in: inC, out: outC, k: 1, stride, pad: 0 });
  return b.add(`${q}.add`, { op: 'add' }, [x, short]);
}

export function buildWideResNet(o: WideResNetOptions): Graph {
  const { depth, widen } = o;
  if (!Number.isInteger(depth) || depth < 10 || (depth - 4) % 6 !== 0) {
    throw new Error(`WideResNet depth must be 6n+4 (10, 16, 22, 28, 40, …), got ${depth}`);
  }
  if (!Number.isInteger(widen) || widen < 1) {
    throw new Error(`WideResNet widen factor must be a positive integer, got ${widen}`);
  }
  const n = (depth - 4) / 6;
  const numClasses = o.numClasses ?? 100;
  const b = new GraphBuilder();
  let x = b.conv('conv1', b.input(o.inputSize ?? 32), { in: 3, out: 16, k: 3 });
  let inC = 16;
  [16, 32, 64].forEach((w, g) => {
    const outC = w * widen;
    for (let i = 0; i < n; i++) {
      x = wideBlock(b, `block${g + 1}.layer.${i}`, x, inC, outC, g > 0 && i === 0 ? 2 : 1);
      inC = outC;
    }
  });
  x = b.relu('relu', b.bn('bn1', x, inC));
  const logits = b.head('avgpool', 'fc', x, inC, numClasses);
  return b.build(`wrn-${depth}-${widen}`, numClasses, logits);
}
