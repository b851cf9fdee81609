// OSI-AI MicroNet structure (no tensors): rounding, padding, the block table, shapes, parameter
// counts and the checkpoint's names/shapes (ARCHITECTURE.md §1, §3, §4, §8, §10), and the clear
// error for a checkpoint that does not fit.
import { describe, expect, it } from 'vitest';
import { countParams, listParams } from '../graph/params';
import { inferShapes } from '../graph/shapes';
import type { SafeTensor } from '../io/safetensors';
import { torchShape, torchStateDictToWeights } from '../io/torch-layout';
import {
  buildOsiMicronet,
  osiBlockPlan,
  osiTapNode,
  roundFilters,
  staticSamePadding,
} from './osi-micronet';
import { osiStateDict } from './osi-micronet.test-helpers';
import { buildFromZooName } from './zoo';

describe('OSI-AI MicroNet structure', () => {
  const graph = buildOsiMicronet();

  it('rounds widths and pads as the reference (§1, §3)', () => {
    expect([24, 16, 40, 56, 72, 88, 104, 150].map(roundFilters)).toEqual([
      24, 16, 40, 48, 64, 80, 96, 136,
    ]);
    expect(staticSamePadding(3, 1)).toEqual([1, 1, 1, 1]);
    expect(staticSamePadding(3, 2)).toEqual([0, 1, 0, 1]);
    expect(staticSamePadding(1, 1)).toEqual([0, 0, 0, 0]);
  });

  it('has the block table of §4', () => {
    const rows = osiBlockPlan().map((b) => [
      b.inChannels,
      b.expanded,
      b.outChannels,
      b.stride,
      b.squeezed,
      b.residual,
    ]);
    expect(rows).toEqual([
      [24, 24, 16, 1, 4, false],
      [16, 96, 24, 1, 3, false],
      [24, 144, 40, 2, 4, false],
      [40, 240, 40, 1, 8, true],
      [40, 240, 48, 1, 8, false],
      [48, 288, 64, 1, 9, false],
      [64, 384, 64, 1, 12, true],
      [64, 384, 80, 2, 12, false],
      [80, 480, 80, 1, 16, true],
      [80, 480, 96, 1, 16, false],
    ]);
  });

  it('maps 32 → 63 → 31 → 15 → 7 and ends in two [100] heads', () => {
    const s = inferShapes(graph);
    expect(s.get(osiTapNode('upsampled'))).toEqual([63, 63, 3]);
    expect(s.get(osiTapNode('stem'))).toEqual([31, 31, 24]);
    const outs = [0, 1, 2, 4, 6, 7, 9].map((i) => s.get(osiTapNode(`block${i}`)));
    expect(outs).toEqual([
      [31, 31, 16],
      [31, 31, 24],
      [15, 15, 40],
      [15, 15, 48],
      [15, 15, 64],
      [7, 7, 80],
      [7, 7, 96],
    ]);
    expect(s.get('_blocks.3._se_gate')).toEqual([1, 1, 240]);
    expect(s.get(graph.output)).toEqual([100]);
    expect(s.get(graph.extraOutputs!.exit!)).toEqual([100]);
  });

  it('has 504,220 learnable parameters: 483,192 main + 21,028 exit (§8)', () => {
    expect(countParams(graph)).toBe(504_220);
    const exit = listParams(graph).filter((p) => p.trainable && p.name.startsWith('_exit.'));
    expect(exit.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)).toBe(21_028);
  });

  it('is in the zoo as osi-micronet', () => {
    expect(buildFromZooName('osi-micronet').name).toBe('osi-micronet');
    expect(buildFromZooName('osi-micronet', { numClasses: 10 }).numClasses).toBe(10);
  });
});

describe('OSI-AI checkpoint ↔ graph', () => {
  const graph = buildOsiMicronet();

  it('names every state_dict tensor 1:1 (ghost-BN stats 4C, exit masks aside)', () => {
    const sd = osiStateDict();
    expect(sd.size).toBe(245);
    const ours = listParams(graph).map((p) => {
      const shape = torchShape(p);
      const ghost = p.kind === 'running_mean' || p.kind === 'running_var';
      return `${p.name}:${ghost ? 4 * shape[0]! : shape.join('x')}`;
    });
    const theirs = [...sd]
      .filter(([k]) => !k.endsWith('.num_batches_tracked') && !k.endsWith('.mask'))
      .map(([k, t]) => `${k}:${t.shape.join('x')}`);
    expect(ours).toEqual(theirs); // same order too
    const w = torchStateDictToWeights(graph, sd);
    const mean = sd.get('_bn0.running_mean')!.data as Float32Array;
    expect(Array.from(w.get('_bn0.running_mean')!.data)).toEqual(Array.from(mean.subarray(0, 24)));
  });

  it('rejects a checkpoint with a wrong shape / missing names, listing the first few and a count', () => {
    const sd = new Map<string, SafeTensor>(osiStateDict());
    sd.delete('_fc.bias');
    sd.delete('_blocks.5._se_reduce.bias');
    const dw = sd.get('_blocks.3._conv.weight')!;
    sd.set('_blocks.3._conv.weight', { ...dw, shape: [240, 1, 1, 9] });
    sd.set('_head.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    const exitMask = sd.get('_exit._fc.mask')!;
    sd.set('_exit._fc.mask', { ...exitMask, shape: [100, 136] });
    expect(() => torchStateDictToWeights(graph, sd)).toThrow(
      "state_dict does not fit graph 'osi-micronet': 5 problem(s): mask '_exit._fc.mask' has shape [100,136], expected [100,136,1,1]; '_blocks.3._conv.weight' has shape [240,1,1,9], expected [240,1,3,3]; missing '_blocks.5._se_reduce.bias' [9]; missing '_fc.bias' [100]; unexpected '_head.weight'",
    );
  });
});
