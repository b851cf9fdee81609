/**
 * OSI-AI MicroNet (Lee-Gihun/MicroNet_OSI-AI, `Config/test.json`; NeurIPS 2019 MicroNet
 * Challenge, 80.26 % CIFAR-100 top-1): an EfficientNet-style network (Tan & Le 2019) of MBConv
 * blocks (Sandler et al. 2018) with squeeze-excite (Hu et al. 2018) and swish (Ramachandran et
 * al. 2017), plus an early-exit head after block 4. Built from
 * shared/models/osi-ai-micronet/ARCHITECTURE.md:
 * - nearest upsample 32 → 63 inside the model (PyTorch index rule), then the stem;
 * - every conv pads as TF 'same' computed ONCE for a 32-px input, whatever it really gets
 *   (3×3 s2 → (0,1), 3×3 s1 → (1,1), 1×1 → 0), so the stem gives 31×31, not 32×32;
 * - block: [1×1 expand, BN, swish] → 3×3 depthwise, BN, swish → SE (mean, 1×1+bias, swish,
 *   1×1+bias, sigmoid, ×) → 1×1 project, BN → + input when stride 1 and i == o;
 * - head 1×1 conv, BN, swish, global mean, fc → main logits (graph.output);
 * - exit head on block 4: 3×3 depthwise, BN, swish, 1×1 conv, BN, swish, global mean, 1×1 conv
 *   with bias → exit logits (graph.extraOutputs.exit); an image exits when its max softmax
 *   probability is > OSI_EXIT_THRESHOLD (see train/early-exit.ts).
 * Input normalisation is CIFAR-100's usual mean/std (data/normalize.ts), so no extra input node.
 * Node names are the checkpoint's state_dict module names (ghost-BN running statistics of
 * length 4C are reduced by io/torch-layout.ts).
 */
import type { Graph, Padding } from '../graph/ir';
import { inferShapes } from '../graph/shapes';
import { GraphBuilder } from './graph-builder';

export const OSI_MICRONET_NAME = 'osi-micronet';
/** Early-exit rule: exit iff max softmax(exit logits) > this (strict). */
export const OSI_EXIT_THRESHOLD = 0.85;
/** Key of the early-exit logits in graph.extraOutputs / forward's `extra`. */
export const OSI_EXIT_KEY = 'exit';

const WIDTH = 0.9;
/** The size every padding is computed for (`image_size`). */
const PAD_IMAGE_SIZE = 32;
/** ceil(32 · round(1.4², 2)) = ceil(32 · 1.96) = 63. */
const UPSAMPLED_SIZE = 63;
const SE_RATIO = 0.2;
const EXIT_AFTER_BLOCK = 4;

/** EfficientNet channel rounding for width 0.9, divisor 8 (ARCHITECTURE.md §1). */
export function roundFilters(nominal: number): number {
  const w = nominal * WIDTH;
  let r = Math.max(8, Math.floor(Math.trunc(w + 4) / 8) * 8);
  if (r < 0.9 * w) r += 8;
  return r;
}

/**
 * Fixed TF-'same' padding [top, bottom, left, right] for a `size`-px input (dilation 1):
 * total = max((ceil(size/s) − 1)·s + k − size, 0), split total//2 before, the rest after.
 */
export function staticSamePadding(kernel: number, stride: number, size = PAD_IMAGE_SIZE): Padding {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  const after = total - before;
  return [before, after, before, after];
}

export interface OsiBlockPlan {
  /** state_dict prefix, e.g. `_blocks.3` */
  name: string;
  inChannels: number;
  expanded: number;
  outChannels: number;
  stride: number;
  /** Squeezed SE channels: max(1, int(inChannels · 0.2)). */
  squeezed: number;
  residual: boolean;
}

/** Stages: repeats, stride of the first block, expand ratio, nominal output width. */
const STAGES = [
  { repeats: 1, stride: 1, expand: 1, width: 16 },
  { repeats: 1, stride: 1, expand: 6, width: 24 },
  { repeats: 2, stride: 2, expand: 6, width: 40 },
  { repeats: 1, stride: 1, expand: 6, width: 56 },
  { repeats: 2, stride: 1, expand: 6, width: 72 },
  { repeats: 2, stride: 2, expand: 6, width: 88 },
  { repeats: 1, stride: 1, expand: 6, width: 104 },
] as const;
const STEM_WIDTH = 24;
const HEAD_WIDTH = 150;

/**
 * The ten MBConv blocks. The reference stores a stage's first stride as a list, so a first block
 * never gets a skip; later blocks do when stride 1 and i == o (blocks 3, 6, 8).
 */
export function osiBlockPlan(): OsiBlockPlan[] {
  const plan: OsiBlockPlan[] = [];
  let inChannels = roundFilters(STEM_WIDTH);
  for (const st of STAGES) {
    const outChannels = roundFilters(st.width);
    for (let r = 0; r < st.repeats; r++) {
      const stride = r === 0 ? st.stride : 1;
      plan.push({
        name: `_blocks.${plan.length}`,
        inChannels,
        expanded: inChannels * st.expand,
        outChannels,
        stride,
        squeezed: Math.max(1, Math.trunc(inChannels * SE_RATIO)),
        residual: r > 0 && stride === 1 && inChannels === outChannels,
      });
      inChannels = outChannels;
    }
  }
  return plan;
}

/** Builder with the OSI conventions: static 'same' padding, no bias unless asked, swish. */
class OsiBuilder extends GraphBuilder {
  convK(
    name: string,
    input: string,
    o: { in: number; out: number; k: number; stride?: number; bias?: boolean },
  ): string {
    const stride = o.stride ?? 1;
    return this.add(
      name,
      {
        op: 'conv2d',
        inChannels: o.in,
        outChannels: o.out,
        kernel: o.k,
        stride,
        padding: staticSamePadding(o.k, stride),
        bias: o.bias ?? false,
      },
      [input],
    );
  }

  depthwise(name: string, input: string, channels: number, stride: number): string {
    const padding = staticSamePadding(3, stride);
    const spec = { op: 'depthwise2d', channels, kernel: 3, stride, padding, bias: false } as const;
    return this.add(name, spec, [input]);
  }

  swish(name: string, input: string): string {
    return this.add(name, { op: 'activation', fn: 'swish' }, [input]);
  }

  /** BN (eps 1e-5) then swish; returns the swish node. */
  bnSwish(bnName: string, swishName: string, input: string, channels: number): string {
    return this.swish(swishName, this.bn(bnName, input, channels));
  }
}

/** Squeeze-excite: x · sigmoid(expand(swish(reduce(mean_hw(x))))). [N,H,W,e] → [N,H,W,e] */
function squeezeExcite(b: OsiBuilder, blk: OsiBlockPlan, x: string): string {
  const p = blk.name;
  const pooled = b.add(`${p}._se_pool`, { op: 'globalavgpool', keepDims: true }, [x]);
  let g = b.convK(`${p}._se_reduce`, pooled, {
    in: blk.expanded,
    out: blk.squeezed,
    k: 1,
    bias: true,
  });
  g = b.swish(`${p}._se_swish`, g);
  g = b.convK(`${p}._se_expand`, g, { in: blk.squeezed, out: blk.expanded, k: 1, bias: true });
  g = b.add(`${p}._se_gate`, { op: 'activation', fn: 'sigmoid' }, [g]); // [N,1,1,e]
  return b.add(`${p}._se_mul`, { op: 'mul' }, [x, g]);
}

function mbConv(b: OsiBuilder, blk: OsiBlockPlan, input: string): string {
  const p = blk.name;
  let x = input;
  if (blk.expanded !== blk.inChannels) {
    x = b.convK(`${p}._expand_conv`, x, { in: blk.inChannels, out: blk.expanded, k: 1 });
    x = b.bnSwish(`${p}._bn0`, `${p}._swish0`, x, blk.expanded);
  }
  x = b.depthwise(`${p}._conv`, x, blk.expanded, blk.stride);
  x = b.bnSwish(`${p}._bn1`, `${p}._swish1`, x, blk.expanded);
  x = squeezeExcite(b, blk, x);
  x = b.convK(`${p}._project_conv`, x, { in: blk.expanded, out: blk.outChannels, k: 1 });
  x = b.bn(`${p}._bn2`, x, blk.outChannels);
  return blk.residual ? b.add(`${p}._add`, { op: 'add' }, [x, input]) : x;
}

/** Early-exit head on [N,15,15,48] → exit logits [N, numClasses]. */
function exitHead(b: OsiBuilder, input: string, channels: number, numClasses: number): string {
  const width = roundFilters(HEAD_WIDTH);
  let x = b.depthwise('_exit._depthwise_conv', input, channels, 1);
  x = b.bnSwish('_exit._bn0', '_exit._swish0', x, channels);
  x = b.convK('_exit._expand_conv', x, { in: channels, out: width, k: 1 });
  x = b.bnSwish('_exit._bn1', '_exit._swish1', x, width);
  x = b.add('_exit._avgpool', { op: 'globalavgpool', keepDims: true }, [x]); // [N,1,1,136]
  x = b.convK('_exit._fc', x, { in: width, out: numClasses, k: 1, bias: true });
  return b.add('_exit._flatten', { op: 'flatten' }, [x]); // [N, numClasses]
}

/** Name of the node whose output is the tensor called `tap` in ARCHITECTURE.md / the oracle. */
export function osiTapNode(tap: 'stem' | 'upsampled' | `block${number}`): string {
  if (tap === 'stem') return '_swish0';
  if (tap === 'upsampled') return '_upsample';
  const i = Number(tap.slice('block'.length));
  const blk = osiBlockPlan()[i];
  if (!blk) throw new Error(`osiTapNode: no block ${i} (blocks 0…9)`);
  return blk.residual ? `${blk.name}._add` : `${blk.name}._bn2`;
}

export interface OsiMicronetOptions {
  numClasses?: number;
}

/** The OSI-AI MicroNet graph: input [N,32,32,3] normalised; output + extraOutputs.exit. */
export function buildOsiMicronet(o: OsiMicronetOptions = {}): Graph {
  const numClasses = o.numClasses ?? 100;
  const b = new OsiBuilder();
  let x = b.input(PAD_IMAGE_SIZE);
  x = b.add('_upsample', { op: 'upsample', height: UPSAMPLED_SIZE, width: UPSAMPLED_SIZE }, [x]);
  const stem = roundFilters(STEM_WIDTH);
  x = b.convK('_conv_stem', x, { in: 3, out: stem, k: 3, stride: 2 });
  x = b.bnSwish('_bn0', '_swish0', x, stem);
  const plan = osiBlockPlan();
  let exitInput = '';
  for (const blk of plan) {
    x = mbConv(b, blk, x);
    if (blk.name === `_blocks.${EXIT_AFTER_BLOCK}`) exitInput = x;
  }
  const width = roundFilters(HEAD_WIDTH);
  x = b.convK('_conv_head', x, { in: plan.at(-1)!.outChannels, out: width, k: 1 });
  x = b.bnSwish('_bn1', '_swish1', x, width);
  const logits = b.head('_avgpool', '_fc', x, width, numClasses);
  const exitChannels = plan[EXIT_AFTER_BLOCK]!.outChannels;
  const exitLogits = exitHead(b, exitInput, exitChannels, numClasses);
  const graph = b.build(OSI_MICRONET_NAME, numClasses, logits);
  const withExit: Graph = { ...graph, extraOutputs: { [OSI_EXIT_KEY]: exitLogits } };
  inferShapes(withExit); // also validates the extra output
  return withExit;
}
