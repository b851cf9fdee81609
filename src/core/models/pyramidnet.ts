/**
 * PyramidNet (Han, Kim & Kim 2017, "Deep Pyramidal Residual Networks") with ShakeDrop
 * (Yamada et al. 2018), CIFAR branch exactly as the seed project defines it
 * (shared/oracles/pyramidnet/PYRAMIDNET.md):
 * - stem conv1 3×3 3→16 + bn1, no ReLU; three stages of n blocks, strides 1, 2, 2;
 * - additive widening: d += α/(3n) per block, planes = round-half-even(d);
 * - BN-first blocks (bottleneck: bn1 conv1×1 bn2 relu conv3×3 bn3 relu conv1×1 bn4; basic:
 *   bn1 conv3×3 bn2 relu conv3×3 bn3), ShakeDrop p_l = 1 − (1 − pMax/(3n)·(l+1)), no ReLU after add;
 * - parameter-free shortcut: AvgPool2d(2, 2, ceil) when strided, zero channels appended;
 * - head bn_final → ReLU → global mean → fc.
 * Node names are the seed's state_dict module names, so a checkpoint maps 1:1.
 */
import type { Graph } from '../graph/ir';
import { roundHalfEven } from '../util/round-half-even';
import { GraphBuilder } from './graph-builder';

export interface PyramidNetOptions {
  depth: number;
  alpha: number;
  bottleneck: boolean;
  numClasses?: number;
  /** ShakeDrop probability of the last block (seed: 0.5). */
  shakeDropMax?: number;
  inputSize?: number;
}

export interface PyramidBlockPlan {
  /** e.g. `layer2.0` */
  name: string;
  inChannels: number;
  planes: number;
  outChannels: number;
  stride: number;
  /** ShakeDrop drop probability p_l. */
  p: number;
}

/** Blocks per stage: int((depth − 2)/9) bottleneck or int((depth − 2)/6) basic; must divide exactly. */
export function blocksPerStage(depth: number, bottleneck: boolean): number {
  const per = bottleneck ? 9 : 6;
  if (!Number.isInteger(depth) || depth < per + 2 || (depth - 2) % per !== 0) {
    throw new Error(
      `PyramidNet ${bottleneck ? 'bottleneck' : 'basic'} depth must be ${per}n+2 with n ≥ 1 (e.g. ${per + 2}, ${3 * per + 2}), got ${depth}`,
    );
  }
  return (depth - 2) / per;
}

/** Every block's widths, stride and ShakeDrop probability, in network order. */
export function pyramidNetPlan(o: PyramidNetOptions): PyramidBlockPlan[] {
  if (!(o.alpha >= 0 && Number.isFinite(o.alpha)))
    throw new Error(`PyramidNet alpha must be ≥ 0, got ${o.alpha}`);
  const n = blocksPerStage(o.depth, o.bottleneck);
  const pMax = o.shakeDropMax ?? 0.5;
  const addrate = o.alpha / (3 * n);
  const expansion = o.bottleneck ? 4 : 1;
  const plan: PyramidBlockPlan[] = [];
  let d = 16;
  let inChannels = 16;
  for (let stage = 0; stage < 3; stage++) {
    for (let i = 0; i < n; i++) {
      const l = stage * n + i;
      d += addrate;
      const planes = roundHalfEven(d);
      const p = 1 - (1 - (pMax / (3 * n)) * (l + 1));
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const outChannels = planes * expansion;
      plan.push({ name: `layer${stage + 1}.${i}`, inChannels, planes, outChannels, stride, p });
      inChannels = outChannels;
    }
  }
  return plan;
}

function residualBranch(
  b: GraphBuilder,
  blk: PyramidBlockPlan,
  input: string,
  bottleneck: boolean,
): string {
  const q = blk.name;
  let x = b.bn(`${q}.bn1`, input, blk.inChannels);
  if (bottleneck) {
    x = b.conv(`${q}.conv1`, x, { in: blk.inChannels, out: blk.planes, k: 1 });
    x = b.relu(`${q}.relu1`, b.bn(`${q}.bn2`, x, blk.planes));
    x = b.conv(`${q}.conv2`, x, { in: blk.planes, out: blk.planes, k: 3, stride: blk.stride });
    x = b.relu(`${q}.relu2`, b.bn(`${q}.bn3`, x, blk.planes));
    x = b.conv(`${q}.conv3`, x, { in: blk.planes, out: blk.outChannels, k: 1 });
    return b.bn(`${q}.bn4`, x, blk.outChannels);
  }
  x = b.conv(`${q}.conv1`, x, { in: blk.inChannels, out: blk.planes, k: 3, stride: blk.stride });
  x = b.relu(`${q}.relu1`, b.bn(`${q}.bn2`, x, blk.planes));
  x = b.conv(`${q}.conv2`, x, { in: blk.planes, out: blk.planes, k: 3 });
  return b.bn(`${q}.bn3`, x, blk.planes);
}

function block(b: GraphBuilder, blk: PyramidBlockPlan, input: string, bottleneck: boolean): string {
  const q = blk.name;
  const branch = b.add(`${q}.shake_drop`, { op: 'shakedrop', p: blk.p }, [
    residualBranch(b, blk, input, bottleneck),
  ]);
  let shortcut = input;
  if (blk.stride !== 1) {
    shortcut = b.add(`${q}.downsample`, { op: 'avgpool', size: 2, stride: 2, ceil: true }, [
      shortcut,
    ]);
  }
  if (blk.outChannels > blk.inChannels) {
    shortcut = b.add(`${q}.shortcut_pad`, { op: 'padchannels', channels: blk.outChannels }, [
      shortcut,
    ]);
  }
  return b.add(`${q}.add`, { op: 'add' }, [branch, shortcut]);
}

export function pyramidNetName(
  o: Pick<PyramidNetOptions, 'depth' | 'alpha' | 'bottleneck'>,
): string {
  return `pyramidnet-${o.bottleneck ? 'bottleneck' : 'basic'}-${o.depth}-a${o.alpha}`;
}

export function buildPyramidNet(o: PyramidNetOptions): Graph {
  const numClasses = o.numClasses ?? 100;
  const plan = pyramidNetPlan(o);
  const b = new GraphBuilder();
  let x = b.input(o.inputSize ?? 32);
  x = b.bn('bn1', b.conv('conv1', x, { in: 3, out: 16, k: 3 }), 16);
  for (const blk of plan) x = block(b, blk, x, o.bottleneck);
  const width = plan[plan.length - 1]!.outChannels;
  x = b.relu('relu_final', b.bn('bn_final', x, width));
  const logits = b.head('avgpool', 'fc', x, width, numClasses);
  return b.build(pyramidNetName(o), numClasses, logits);
}
