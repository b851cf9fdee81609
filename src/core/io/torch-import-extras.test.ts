// Ghost-BN running statistics ([k·C] → mean of the k copies) and pruning masks (weight · mask) on
// import, through torchStateDictToWeights.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../graph/ir';
import type { SafeTensor } from './safetensors';
import { torchStateDictToWeights } from './torch-layout';

const graph: Graph = {
  format: 'micronet-lab-graph',
  version: 1,
  name: 'extras',
  numClasses: 2,
  nodes: [
    { name: 'input', inputs: [], spec: { op: 'input', height: 2, width: 2, channels: 1 } },
    {
      name: 'conv',
      inputs: ['input'],
      spec: {
        op: 'conv2d',
        inChannels: 1,
        outChannels: 2,
        kernel: 1,
        stride: 1,
        padding: 'valid',
        bias: false,
      },
    },
    {
      name: 'bn',
      inputs: ['conv'],
      spec: { op: 'batchnorm', channels: 2, eps: 1e-5, momentum: 0.1 },
    },
    { name: 'pool', inputs: ['bn'], spec: { op: 'globalavgpool', keepDims: false } },
  ],
  output: 'pool',
};

const f32 = (shape: number[], values: number[]): SafeTensor => ({
  dtype: 'F32',
  shape,
  data: Float32Array.from(values),
});

function dict(): Map<string, SafeTensor> {
  return new Map([
    ['conv.weight', f32([2, 1, 1, 1], [3, 5])],
    ['bn.weight', f32([2], [1, 1])],
    ['bn.bias', f32([2], [0, 0])],
    ['bn.running_mean', f32([8], [1, 2, 3, 4, 5, 6, 7, 8])], // 4 ghost copies of C = 2
    ['bn.running_var', f32([2], [1, 2])],
  ]);
}

describe('ghost batch norm', () => {
  it('reduces [k·C] running statistics to the mean of the k copies; [C] stays', () => {
    const w = torchStateDictToWeights(graph, dict());
    expect(Array.from(w.get('bn.running_mean')!.data)).toEqual([4, 5]); // (1+3+5+7)/4, (2+4+6+8)/4
    expect(w.get('bn.running_mean')!.shape).toEqual([2]);
    expect(Array.from(w.get('bn.running_var')!.data)).toEqual([1, 2]);
  });

  it('still rejects a length that is no multiple of C, and a wrong affine shape', () => {
    const sd = dict();
    sd.set('bn.running_var', f32([3], [1, 2, 3]));
    sd.set('bn.weight', f32([4], [1, 1, 1, 1]));
    expect(() => torchStateDictToWeights(graph, sd)).toThrow(
      "2 problem(s): 'bn.weight' has shape [4], expected [2]; 'bn.running_var' has shape [3], expected [2]",
    );
  });
});

describe('pruning masks', () => {
  it('applies weight · mask (F32 or BOOL) and accepts the mask key', () => {
    const sd = dict();
    sd.set('conv.mask', f32([2, 1, 1, 1], [0, 1]));
    expect(Array.from(torchStateDictToWeights(graph, sd).get('conv.weight')!.data)).toEqual([0, 5]);
    sd.set('conv.mask', { dtype: 'BOOL', shape: [2, 1, 1, 1], data: Uint8Array.from([1, 0]) });
    expect(Array.from(torchStateDictToWeights(graph, sd).get('conv.weight')!.data)).toEqual([3, 0]);
  });

  it('rejects non-0/1 or misshapen masks, and masks of unknown layers when strict', () => {
    const sd = dict();
    sd.set('conv.mask', f32([2, 1, 1, 1], [0, 0.5]));
    sd.set('fc.mask', f32([1], [1]));
    expect(() => torchStateDictToWeights(graph, sd)).toThrow(
      "2 problem(s): mask 'conv.mask' holds 0.5 at 1, expected 0 or 1; unexpected 'fc.mask'",
    );
    sd.set('conv.mask', f32([2], [1, 1]));
    expect(() => torchStateDictToWeights(graph, sd, { strict: false })).toThrow(
      "1 problem(s): mask 'conv.mask' has shape [2], expected [2,1,1,1]",
    );
  });
});
