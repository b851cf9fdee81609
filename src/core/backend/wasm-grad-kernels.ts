/**
 * Training kernels missing from tfjs-backend-wasm 4.22, composed from kernels it has
 * (Conv2D with dilations, DepthwiseConv2dNative, Transpose, Reshape, Slice, PadV2, Reverse, Sum):
 *
 * - Conv2DBackpropFilter: dW[a,b,i,o] = Σ_{n,y,x} xpad[n, a+s·y, b+s·x, i] · dy[n,y,x,o] is a
 *   correlation of xᵀ [cIn, H, W, N] (batch = cIn, channels = N) with dyᵀ [Ho, Wo, N, cOut] as
 *   the filter, dilated by the stride s, stride 1 → [cIn, kh, kw, cOut] → transpose to HWIO.
 * - DepthwiseConv2dNativeBackpropFilter: the same correlation done depthwise over N·C channels
 *   (x → [1, H, W, N·C], dy → filter [Ho, Wo, N·C, M]) → [1, kh, kw, N·C·M], summed over N.
 * - DepthwiseConv2dNativeBackpropInput: the transposed convolution = dy upsampled with s−1 zeros
 *   between samples, correlated (stride 1) with the filter rotated 180°, left/top pad kh−1−top.
 *
 *   A 1×1 stride-1 unpadded conv takes a single matmul xᵀ·dy instead.
 * - Conv2DBackpropInput (wasm has it, as a slow naive loop): replaced by the polyphase Conv2D
 *   form of wasm-conv-backprop-input.ts, ~4–9× faster.
 *
 * Forward pads come from backend_util.computeConv2DInfo, so 'same' (incl. its asymmetric split at
 * stride 2), 'valid', numeric and explicit padding all work. Dilations must be 1 (tfjs's own
 * conv gradients assert that too).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  convGradGeometry,
  explicitPad,
  type ConvGradGeometry,
  type ConvPad,
  type RoundingMode,
} from './conv-grad-geometry';
import { composite, KernelCalls, type DisposingBackend } from './kernel-calls';
import { depthwiseFilterGradByTaps, type HeapBackend } from './wasm-depthwise-filter-grad';
import { registerWasmReduceKernels } from './wasm-reduce-kernels';
import {
  conv2dBackpropInputPolyphase,
  type InputGradAttrs as ConvInputGradAttrs,
} from './wasm-conv-backprop-input';

const WASM = 'wasm';

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: ConvPad;
  dimRoundingMode?: RoundingMode;
  filterShape: [number, number, number, number];
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
}

interface InputGradAttrs {
  strides: number | [number, number];
  pad: ConvPad;
  dimRoundingMode?: RoundingMode;
  inputShape: [number, number, number, number];
  dilations?: number | [number, number];
}

function requireInput(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`wasm gradient kernel: missing input '${name}'`);
  return t;
}

/** x [N,H,W,C] cropped at the bottom/right where the correlation needs fewer rows/cols. */
function cropForCorrelation(k: KernelCalls, x: tf.TensorInfo, g: ConvGradGeometry): tf.TensorInfo {
  const h = g.h + Math.min(0, g.extraBottom);
  const w = g.w + Math.min(0, g.extraRight);
  return k.cropHW(x, 0, 0, h, w);
}

/** Pads of the filter-gradient correlation (after cropForCorrelation). */
function correlationPad(g: ConvGradGeometry): tf.backend_util.ExplicitPadding {
  return explicitPad(g.top, Math.max(0, g.extraBottom), g.left, Math.max(0, g.extraRight));
}

/**
 * 1×1, stride 1, no padding: dW = xᵀ·dy over all P = N·H·W positions, as one Conv2D whose filter
 * is the operand with fewer channels ([1, 1, P, c_narrow]) and whose input is the other one
 * transposed ([c_wide, 1, 1, P]). Not a BatchMatMul: wasm's matmul creates an XNNPACK operator
 * for every new right-hand side, which cost 10.4 ms vs 4.1 ms for this Conv2D on P = 1800,
 * 64 → 384 channels (Node, 2-core machine).
 */
function pointwiseFilterGrad(k: KernelCalls, x: tf.TensorInfo, dy: tf.TensorInfo): tf.TensorInfo {
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const co = dy.shape[3]!;
  const p = n * h * w;
  const [narrow, wide] = ci <= co ? [x, dy] : [dy, x];
  const [cn, cw] = ci <= co ? [ci, co] : [co, ci];
  const input = k.reshape(k.transpose(k.reshape(wide, [p, cw]), [1, 0]), [cw, 1, 1, p]);
  const filter = k.reshape(narrow, [1, 1, p, cn]);
  const r = k.run(
    'Conv2D',
    { x: input, filter },
    { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] },
  ); // [cw, 1, 1, cn]
  const ciCo = ci <= co ? k.transpose(k.reshape(r, [co, ci]), [1, 0]) : r;
  return k.reshape(ciCo, [1, 1, ci, co]);
}

/** Conv2DBackpropFilter: x [N,H,W,Ci], dy [N,Ho,Wo,Co] → dW [kh,kw,Ci,Co]. */
function conv2dBackpropFilter(
  k: KernelCalls,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  a: FilterGradAttrs,
) {
  if (a.dataFormat === 'NCHW')
    throw new Error("wasm Conv2DBackpropFilter: dataFormat 'NCHW' unsupported");
  const g = convGradGeometry(
    x.shape,
    a.filterShape,
    dy.shape,
    a.strides,
    a.pad,
    a.dimRoundingMode,
    false,
  );
  if (g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.top === 0 && g.left === 0) {
    return pointwiseFilterGrad(k, x, dy);
  }
  const xT = k.transpose(cropForCorrelation(k, x, g), [3, 1, 2, 0]); // [Ci, H', W', N]
  const dyT = k.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
  const r = k.run(
    'Conv2D',
    { x: xT, filter: dyT },
    { strides: [1, 1], pad: correlationPad(g), dataFormat: 'NHWC', dilations: [g.sh, g.sw] },
  ); // [Ci, kh, kw, Co]
  return k.transpose(r, [1, 2, 0, 3]);
}

/** DepthwiseConv2dNativeBackpropFilter: x [N,H,W,C], dy [N,Ho,Wo,C·M] → dW [kh,kw,C,M]. */
function depthwiseBackpropFilter(
  k: KernelCalls,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  a: FilterGradAttrs,
) {
  const [kh, kw, c, m] = a.filterShape;
  const g = convGradGeometry(
    x.shape,
    a.filterShape,
    dy.shape,
    a.strides,
    a.pad,
    a.dimRoundingMode,
    true,
    a.dilations,
  );
  if (m === 1 && x.dtype === 'float32') {
    return depthwiseFilterGradByTaps(k, k.backendAs<HeapBackend>(), x, dy, g);
  }
  const xc = cropForCorrelation(k, x, g);
  const xT = k.transpose(xc, [1, 2, 0, 3]); // [H', W', N, C]
  const xR = k.reshape(xT, [1, xc.shape[1]!, xc.shape[2]!, g.n * c]);
  const dyT = k.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, C·M]
  const dyR = k.reshape(dyT, [g.outH, g.outW, g.n * c, m]);
  const r = k.run(
    'DepthwiseConv2dNative',
    { x: xR, filter: dyR },
    { strides: [1, 1], pad: correlationPad(g), dilations: [g.sh, g.sw] },
  ); // [1, kh, kw, N·C·M]
  const perSample = k.reshape(r, [kh, kw, g.n, c * m]);
  const summed = k.run('Sum', { x: perSample }, { axis: [2], keepDims: false });
  return k.reshape(summed, [kh, kw, c, m]);
}

/** dy [N,Ho,Wo,C] → [N, Ho·sh, Wo·sw, C] with sh−1 (sw−1) zeros after every sample. */
function upsampleWithZeros(k: KernelCalls, dy: tf.TensorInfo, sh: number, sw: number) {
  if (sh === 1 && sw === 1) return dy;
  const [n, ho, wo, c] = dy.shape as [number, number, number, number];
  const r = k.reshape(dy, [n, ho, 1, wo, 1, c]);
  const paddings = [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ];
  const p = k.run('PadV2', { x: r }, { paddings, constantValue: 0 });
  return k.reshape(p, [n, ho * sh, wo * sw, c]);
}

/** DepthwiseConv2dNativeBackpropInput: dy [N,Ho,Wo,C·M], filter [kh,kw,C,M] → dx [N,H,W,C]. */
function depthwiseBackpropInput(
  k: KernelCalls,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  a: InputGradAttrs,
) {
  const [kh, kw, c, m] = filter.shape as [number, number, number, number];
  const g = convGradGeometry(
    a.inputShape,
    filter.shape,
    dy.shape,
    a.strides,
    a.pad,
    a.dimRoundingMode,
    true,
    a.dilations,
  );
  const up = upsampleWithZeros(k, dy, g.sh, g.sw); // [N, Hu, Wu, C·M]
  const [hu, wu] = [up.shape[1]!, up.shape[2]!];
  // Full-correlation pads: before = k−1−top, after = H + top − Hu (negative → crop dy).
  const [pt, pb] = [kh - 1 - g.top, g.h + g.top - hu];
  const [pl, pr] = [kw - 1 - g.left, g.w + g.left - wu];
  const cropT = Math.max(0, -pt);
  const cropL = Math.max(0, -pl);
  const cropped = k.cropHW(
    up,
    cropT,
    cropL,
    hu - cropT - Math.max(0, -pb),
    wu - cropL - Math.max(0, -pr),
  );
  const flipped = k.run('Reverse', { x: filter }, { dims: [0, 1] });
  const f = k.reshape(flipped, [kh, kw, c * m, 1]);
  const pad = explicitPad(Math.max(0, pt), Math.max(0, pb), Math.max(0, pl), Math.max(0, pr));
  const dx = k.run(
    'DepthwiseConv2dNative',
    { x: cropped, filter: f },
    { strides: [1, 1], pad, dilations: [1, 1] },
  );
  if (m === 1) return dx;
  const split = k.reshape(dx, [g.n, g.h, g.w, c, m]);
  return k.run('Sum', { x: split }, { axis: [4], keepDims: false });
}

function filterGradKernel(
  name: string,
  fn: (k: KernelCalls, x: tf.TensorInfo, dy: tf.TensorInfo, a: FilterGradAttrs) => tf.TensorInfo,
): tf.KernelConfig {
  return {
    kernelName: name,
    backendName: WASM,
    kernelFunc: ({ inputs, backend, attrs }) =>
      composite(backend, WASM, (k) =>
        fn(
          k,
          requireInput(inputs, 'x'),
          requireInput(inputs, 'dy'),
          attrs as unknown as FilterGradAttrs,
        ),
      ),
  };
}

/**
 * Conv2DBackpropInput: wasm has one, but a naive loop; replace it by the polyphase Conv2D form
 * and keep the native kernel for what that form does not cover (strides differing per axis).
 */
function fastConv2dBackpropInput(native: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: WASM,
    setupFunc: native.setupFunc, // the native kernel's cwrap, for the fallback
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const dy = requireInput(inputs, 'dy');
      const filter = requireInput(inputs, 'filter');
      const a = attrs as unknown as ConvInputGradAttrs;
      const k = new KernelCalls(backend as DisposingBackend, WASM);
      try {
        const out = conv2dBackpropInputPolyphase(k, dy, filter, a);
        return out ? k.keep(out) : native.kernelFunc(args);
      } finally {
        k.dispose();
      }
    },
  };
}

const fastKernels = new WeakSet<tf.KernelFunc>();

/** Swaps wasm's Conv2DBackpropInput for the polyphase one (once). */
function replaceConv2dBackpropInput(): void {
  const current = tf.getKernel('Conv2DBackpropInput', WASM);
  if (current && fastKernels.has(current.kernelFunc)) return;
  if (!current) return; // the wasm backend module is not loaded: nothing to replace
  const fast = fastConv2dBackpropInput(current);
  fastKernels.add(fast.kernelFunc);
  tf.unregisterKernel('Conv2DBackpropInput', WASM);
  tf.registerKernel(fast);
}

const KERNELS: tf.KernelConfig[] = [
  filterGradKernel('Conv2DBackpropFilter', conv2dBackpropFilter),
  filterGradKernel('DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter),
  {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: WASM,
    kernelFunc: ({ inputs, backend, attrs }) =>
      composite(backend, WASM, (k) =>
        depthwiseBackpropInput(
          k,
          requireInput(inputs, 'dy'),
          requireInput(inputs, 'filter'),
          attrs as unknown as InputGradAttrs,
        ),
      ),
  },
];

/** Names of the kernels this module adds to 'wasm'. */
export const WASM_GRAD_KERNEL_NAMES: readonly string[] = KERNELS.map((c) => c.kernelName);

/**
 * Registers the missing training kernels for the 'wasm' backend, and the faster Conv2DBackpropInput,
 * Sum and Mean (wasm-reduce-kernels.ts). Idempotent; a kernel that wasm already has (a later
 * tfjs) is left alone. Call before training on wasm.
 */
export function registerWasmGradKernels(): void {
  for (const config of KERNELS) {
    if (!tf.getKernel(config.kernelName, WASM)) tf.registerKernel(config);
  }
  replaceConv2dBackpropInput();
  registerWasmReduceKernels();
}
