import { describe, expect, it } from 'vitest';
import type { Graph } from '../graph/ir';
import { initWeights } from '../graph/params';
import { buildTinyNet } from '../models/tiny';
import type { SafeTensor } from './safetensors';
import { torchStateDictToWeights, weightsToTorchStateDict } from './torch-layout';

const graph: Graph = {
  format: 'micronet-lab-graph',
  version: 1,
  name: 'layouts',
  numClasses: 2,
  nodes: [
    { name: 'input', inputs: [], spec: { op: 'input', height: 4, width: 4, channels: 2 } },
    {
      name: 'conv',
      inputs: ['input'],
      spec: {
        op: 'conv2d',
        inChannels: 2,
        outChannels: 3,
        kernel: 2,
        stride: 1,
        padding: 'same',
        bias: true,
      },
    },
    {
      name: 'dw',
      inputs: ['conv'],
      spec: { op: 'depthwise2d', channels: 3, kernel: 2, stride: 1, padding: 'same', bias: false },
    },
    {
      name: 'bn',
      inputs: ['dw'],
      spec: { op: 'batchnorm', channels: 3, eps: 1e-5, momentum: 0.1 },
    },
    { name: 'pool', inputs: ['bn'], spec: { op: 'globalavgpool', keepDims: false } },
    {
      name: 'fc',
      inputs: ['pool'],
      spec: { op: 'dense', inFeatures: 3, outFeatures: 2, bias: true },
    },
  ],
  output: 'fc',
};

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);
const f32 = (shape: number[]): SafeTensor => ({
  dtype: 'F32',
  shape,
  data: iota(shape.reduce((a, b) => a * b, 1)),
});

function torchDict(): Map<string, SafeTensor> {
  return new Map<string, SafeTensor>([
    ['conv.weight', f32([3, 2, 2, 2])], // OIHW
    ['conv.bias', f32([3])],
    ['dw.weight', f32([3, 1, 2, 2])],
    ['bn.weight', f32([3])],
    ['bn.bias', f32([3])],
    ['bn.running_mean', f32([3])],
    ['bn.running_var', f32([3])],
    ['bn.num_batches_tracked', { dtype: 'I64', shape: [], data: new BigInt64Array(1) }],
    ['fc.weight', f32([2, 3])], // [out, in]
    ['fc.bias', f32([2])],
  ]);
}

describe('torchStateDictToWeights', () => {
  it('permutes OIHW→HWIO, [C,1,kh,kw]→[kh,kw,C,1], [out,in]→[in,out]', () => {
    const w = torchDict();
    const ours = torchStateDictToWeights(graph, w);
    const conv = ours.get('conv.weight')!;
    expect(conv.shape).toEqual([2, 2, 2, 3]);
    // torch [o=2,i=1,h=1,w=0] = 2·8 + 1·4 + 1·2 + 0 = 22 → tfjs [h=1,w=0,i=1,o=2] = 1·12 + 0·6 + 1·3 + 2 = 17
    expect(conv.data[17]).toBe(22);
    const dw = ours.get('dw.weight')!;
    expect(dw.shape).toEqual([2, 2, 3, 1]);
    // torch [c=2,0,h=0,w=1] = 9 → tfjs [0,1,2,0] = 0·6 + 1·3 + 2 = 5
    expect(dw.data[5]).toBe(9);
    const fc = ours.get('fc.weight')!;
    expect(fc.shape).toEqual([3, 2]);
    expect(Array.from(fc.data)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(ours.has('bn.num_batches_tracked')).toBe(false);
  });

  it('round-trips through weightsToTorchStateDict and strips a DataParallel prefix', () => {
    const w = initWeights(buildTinyNet(), 3);
    const sd = weightsToTorchStateDict(buildTinyNet(), w);
    expect(sd.get('conv2.weight')!.shape).toEqual([32, 16, 3, 3]);
    expect(sd.get('bn1.num_batches_tracked')!.dtype).toBe('I64');
    const prefixed = new Map([...sd].map(([k, v]) => [`module.${k}`, v]));
    expect(torchStateDictToWeights(buildTinyNet(), prefixed)).toEqual(w);
  });

  it('lists the first mismatches and their count', () => {
    const sd = torchDict();
    sd.delete('bn.bias');
    sd.set('fc.weight', f32([3, 2]));
    sd.set('conv.bias', { dtype: 'I32', shape: [3], data: new Int32Array(3) });
    sd.set('head.weight', f32([1]));
    expect(() => torchStateDictToWeights(graph, sd)).toThrow(
      "state_dict does not fit graph 'layouts': 4 problem(s): 'conv.bias' has non-float dtype I32; missing 'bn.bias' [3]; 'fc.weight' has shape [3,2], expected [2,3]; unexpected 'head.weight'",
    );
    sd.delete('head.weight');
    expect(() => torchStateDictToWeights(graph, sd, { strict: false })).toThrow(/3 problem/);
  });
});
