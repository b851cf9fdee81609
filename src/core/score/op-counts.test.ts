import { describe, expect, it } from 'vitest';
import { countOp, countOpList, officialOutputSize, weighCounts, type CountOp } from './op-counts';
import { loadCountingOracle, relClose, toCountOp, type OracleOp } from './oracle.test-helpers';

const oracle = loadCountingOracle();
const cases = oracle.single_layer_cases as OracleOp[];

describe('single_layer_cases (counting.py arithmetic)', () => {
  it('has all 18 cases', () => expect(cases).toHaveLength(18));

  it.each(cases.map((c) => [c.id!, c] as const))('%s', (_id, c) => {
    const op = toCountOp(c);
    if (c.output_size !== undefined && op.op !== 'FullyConnected' && 'kernelShape' in op) {
      expect(officialOutputSize(op.inputSize, op.kernelShape[0], op.padding, op.stride)).toBe(
        c.output_size,
      );
    }
    const r = weighCounts(countOp(op, c.sparsity, c.param_bits), {
      param: c.param_bits,
      mult: c.mult_bits!,
      add: c.add_bits!,
    });
    const want = c.result!;
    const pairs: [number, number][] = [
      [r.paramBits, want.param_bits_total],
      [r.params32, want.params_32bit_equiv],
      [r.mults, want.raw_mults],
      [r.adds, want.raw_adds],
      [r.weightedMults, want.weighted_mults],
      [r.weightedAdds, want.weighted_adds],
      [r.weightedOps, want.weighted_ops],
    ];
    for (const [got, exp] of pairs) expect(relClose(got, exp), `${got} vs ${exp}`).toBe(true);
  });

  it('rejects a sparsity outside [0, 1]', () => {
    expect(() => countOp(toCountOp(cases[0]!), 1.5, 32)).toThrow(/sparsity.*1\.5/);
  });
});

/**
 * The official notebook's EfficientNet-B0 op list (EfficientNetCounting.ipynb read_model /
 * read_block on tensorflow/tpu efficientnet-b0 at 224 px): 'same' padding, BN as a bias on every
 * conv, swish, SE (GlobalAvg, reduce swish, expand sigmoid, Scale), skip Add at the EXPANDED
 * width (the notebook's n_channels), head conv, GlobalAvg, FC 1280→1000.
 */
function efficientNetB0Ops(): CountOp[] {
  // [repeats, kernel, stride, expand, in, out], se_ratio 0.25 everywhere.
  const blocks = [
    [1, 3, 1, 1, 32, 16],
    [2, 3, 2, 6, 16, 24],
    [2, 5, 2, 6, 24, 40],
    [3, 3, 2, 6, 40, 80],
    [3, 5, 1, 6, 80, 112],
    [4, 5, 2, 6, 112, 192],
    [1, 3, 1, 6, 192, 320],
  ] as const;
  const ops: CountOp[] = [];
  const conv = (
    size: number,
    k: number,
    cin: number,
    cout: number,
    s: number,
    act: 'swish' | 'sigmoid' | null,
  ): CountOp => ({
    op: 'Conv2D',
    inputSize: size,
    kernelShape: [k, k, cin, cout],
    stride: s,
    padding: 'same',
    useBias: true,
    activation: act,
  });
  let size = 224;
  ops.push(conv(size, 3, 3, 32, 2, 'swish'));
  size = officialOutputSize(size, 3, 'same', 2);
  for (const [repeats, k, stride0, e, in0, out] of blocks) {
    for (let r = 0; r < repeats; r++) {
      const cin = r === 0 ? in0 : out;
      const stride = r === 0 ? stride0 : 1;
      const ce = cin * e;
      if (e !== 1) ops.push(conv(size, 1, cin, ce, 1, 'swish'));
      ops.push({
        op: 'DepthWiseConv2D',
        inputSize: size,
        kernelShape: [k, k, ce, 1],
        stride,
        padding: 'same',
        useBias: true,
        activation: 'swish',
      });
      size = officialOutputSize(size, k, 'same', stride);
      const q = Math.max(1, Math.floor(cin * 0.25));
      ops.push({ op: 'GlobalAvg', inputSize: size, channels: ce });
      ops.push(conv(1, 1, ce, q, 1, 'swish'));
      ops.push(conv(1, 1, q, ce, 1, 'sigmoid'));
      ops.push({ op: 'Scale', inputSize: size, channels: ce });
      ops.push(conv(size, 1, ce, out, 1, null));
      if (stride === 1 && cin === out) ops.push({ op: 'Add', inputSize: size, channels: ce });
    }
  }
  ops.push(conv(size, 1, 320, 1280, 1, 'swish'));
  ops.push({ op: 'GlobalAvg', inputSize: size, channels: 1280 });
  ops.push({ op: 'FullyConnected', kernelShape: [1280, 1000], useBias: true, activation: null });
  return ops;
}

describe('sanity_whole_models: EfficientNet-B0 official notebook op list', () => {
  const ops = efficientNetB0Ops();
  const bits = { param: 16, mult: 16, add: 32 };
  it.each([
    ['0.0', 0],
    ['0.5', 0.5],
  ] as const)('sparsity %s', (key, s) => {
    const want = oracle.sanity_whole_models[
      `efficientnet_b0_224_official_notebook_oplist_sparsity_${key}`
    ] as Record<string, number>;
    const r = countOpList(ops, s, bits);
    expect(relClose(r.paramBits, want.param_bits_total!)).toBe(true);
    expect(relClose(r.params32, want.params_32bit_equiv!)).toBe(true);
    expect(relClose(r.mults, want.raw_mults!)).toBe(true);
    expect(relClose(r.adds, want.raw_adds!)).toBe(true);
    expect(relClose(r.weightedOps, want.weighted_ops!)).toBe(true);
  });

  it('gives the notebook printout: 10.535 MB / 598.913 M at s=0, 5.953 MB / 309.552 M at s=0.5', () => {
    const r0 = countOpList(ops, 0, bits);
    expect((r0.paramBits / 8 / 1e6).toFixed(3)).toBe('10.535');
    expect((r0.weightedOps / 1e6).toFixed(3)).toBe('598.913');
    const r5 = countOpList(ops, 0.5, bits);
    expect((r5.paramBits / 8 / 1e6).toFixed(3)).toBe('5.953');
    expect((r5.weightedOps / 1e6).toFixed(3)).toBe('309.552');
  });
});
