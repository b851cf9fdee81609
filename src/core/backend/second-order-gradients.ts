/**
 * Gradients of gradient kernels, so that double back-propagation (Pearlmutter 1994:
 * Hv = ∇(∇L·v)) runs through the lab's graphs. tfjs-core 4.22 registers none of these:
 *
 * - Conv2DBackpropFilter(x, dy) = dW: bilinear, ⟨dW, ddW⟩ = ⟨dy, conv2d(x, ddW)⟩, so
 *   ∂/∂dy = conv2d(x, ddW) and ∂/∂x = Conv2DBackpropInput(dy, ddW).
 * - DepthwiseConv2dNativeBackpropFilter(x, dy): the same with the depthwise conv.
 * - DepthwiseConv2dNativeBackpropInput(dy, W) = dx: ⟨dx, ddx⟩ = ⟨dy, dwconv(ddx, W)⟩, so
 *   ∂/∂dy = dwconv(ddx, W) and ∂/∂W = DepthwiseConv2dNativeBackpropFilter(ddx, dy).
 * - AvgPoolGrad(dy, input) = Aᵀdy and ResizeNearestNeighborGrad(images, dy) = Rᵀdy are linear
 *   in dy and do not depend on the input's values: ∂/∂dy = A·ddx (R·ddx), ∂/∂input = 0.
 * - LessEqual (inside Relu6's gradient): a comparison, zero gradient (as GreaterEqual has).
 *
 * ResizeNearestNeighbor's first-order gradient is replaced on the cpu backend only, where the
 * kernel it calls mixes up batch strides (see resizeNearestGrad). FusedBatchNorm's is replaced
 * by one that broadcasts instead of tiling (same values, less memory). On wasm, Identity and
 * same-dtype Cast share data instead of copying (see shareCopiesOnWasm).
 * Sigmoid's first-order gradient is replaced: tfjs saves its OUTPUT for the backward pass, and
 * that saved copy goes on the tape before the op that produces it, so an outer gradient never
 * reaches it (tf.grad(tf.grad(tf.sigmoid)) throws). The replacement saves the input and
 * recomputes σ(x): same values, differentiable twice. (tf.logSoftmax has the same flaw inside a
 * customGrad, which cannot be re-registered: analysis/hessian has its own cross-entropy.)
 *
 * Import for the side effect, or call registerSecondOrderGradients() (idempotent).
 */
import * as tf from '@tensorflow/tfjs-core';
import './register-gradients';

type Attrs = Record<string, unknown>;

function run(kernel: string, inputs: tf.NamedTensorMap, attrs: Attrs): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

function saved2(saved: tf.Tensor[], kernel: string): [tf.Tensor, tf.Tensor] {
  const [a, b] = saved;
  if (!a || !b)
    throw new Error(`${kernel} gradient: expected 2 saved tensors, got ${saved.length}`);
  return [a, b];
}

function saved1(saved: tf.Tensor[], kernel: string): tf.Tensor {
  const [a] = saved;
  if (!a) throw new Error(`${kernel} gradient: expected 1 saved tensor, got ${saved.length}`);
  return a;
}

/** Forward conv attrs (no filterShape / inputShape) from a backprop kernel's attrs. */
function convAttrs(a: Attrs): Attrs {
  return {
    strides: a.strides,
    pad: a.pad,
    dataFormat: a.dataFormat ?? 'NHWC',
    dilations: a.dilations ?? [1, 1],
    dimRoundingMode: a.dimRoundingMode,
  };
}

/**
 * The gradient of a filter-gradient kernel dW = F(x, dy), bilinear in x and dy:
 * ∂/∂x = `inputKernel`(dy, ddW) and ∂/∂dy = `convKernel`(x, ddW).
 */
function filterGradGrad(
  kernelName: string,
  inputKernel: string,
  convKernel: string,
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x', 'dy'],
    gradFunc: (ddw, saved, attrs) => {
      const [x, dy] = saved2(saved, kernelName);
      const a = attrs as Attrs;
      const w = ddw as tf.Tensor;
      return {
        x: () => run(inputKernel, { dy, filter: w }, { ...convAttrs(a), inputShape: x.shape }),
        dy: () => run(convKernel, { x, filter: w }, convAttrs(a)),
      };
    },
  };
}

/** dW = Conv2DBackpropFilter(x [N,H,W,Ci], dy [N,Ho,Wo,Co]); ddW [kh,kw,Ci,Co]. */
const conv2dBackpropFilterGrad = filterGradGrad(
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'Conv2D',
);

/** dW = DepthwiseConv2dNativeBackpropFilter(x [N,H,W,C], dy [N,Ho,Wo,C·M]); ddW [kh,kw,C,M]. */
const depthwiseBackpropFilterGrad = filterGradGrad(
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNative',
);

/** dx = DepthwiseConv2dNativeBackpropInput(dy [N,Ho,Wo,C·M], W [kh,kw,C,M]); ddx [N,H,W,C]. */
const depthwiseBackpropInputGrad: tf.GradConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  inputsToSave: ['dy', 'filter'],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, filter] = saved2(saved, 'DepthwiseConv2dNativeBackpropInput');
    const a = attrs as Attrs;
    const g = ddx as tf.Tensor;
    return {
      dy: () => run('DepthwiseConv2dNative', { x: g, filter }, convAttrs(a)),
      filter: () =>
        run(
          'DepthwiseConv2dNativeBackpropFilter',
          { x: g, dy },
          { ...convAttrs(a), filterShape: filter.shape },
        ),
    };
  },
};

/**
 * dx = AvgPoolGrad(dy [N,Ho,Wo,C], input [N,H,W,C]) = Aᵀ·dy. The tfjs kernels divide every
 * window by its full size, padding included (their forward AvgPool does not, under 'same'), so
 * the adjoint is a zero-padded, full-divisor average: pad ddx, then a 'valid' AvgPool.
 */
const avgPoolGradGrad: tf.GradConfig = {
  kernelName: 'AvgPoolGrad',
  inputsToSave: ['input'],
  gradFunc: (ddx, saved, attrs) => {
    const input = saved1(saved, 'AvgPoolGrad');
    const a = attrs as Attrs;
    const g = ddx as tf.Tensor4D;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize as [number, number],
      a.strides as [number, number],
      1,
      a.pad as 'valid' | 'same' | number,
      a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const { top, bottom, left, right } = info.padInfo;
    return {
      dy: () => {
        const padded = tf.pad(g, [
          [0, 0],
          [top, Math.max(0, bottom)],
          [left, Math.max(0, right)],
          [0, 0],
        ]);
        const attrsValid = { filterSize: a.filterSize, strides: a.strides, pad: 'valid' };
        return run('AvgPool', { x: padded }, attrsValid);
      },
      input: () => tf.zerosLike(input),
    };
  },
};

/** dimages = ResizeNearestNeighborGrad(images [N,H,W,C], dy [N,H2,W2,C]) = Rᵀ·dy. */
const resizeNearestGradGrad: tf.GradConfig = {
  kernelName: 'ResizeNearestNeighborGrad',
  inputsToSave: ['images', 'dy'],
  gradFunc: (ddimages, saved, attrs) => {
    const [images, dy] = saved2(saved, 'ResizeNearestNeighborGrad');
    const a = attrs as Attrs;
    const g = ddimages as tf.Tensor;
    return {
      dy: () =>
        run(
          'ResizeNearestNeighbor',
          { images: g },
          {
            alignCorners: a.alignCorners ?? false,
            halfPixelCenters: a.halfPixelCenters ?? false,
            size: [dy.shape[1], dy.shape[2]],
          },
        ),
      images: () => tf.zerosLike(images),
    };
  },
};

/**
 * ResizeNearestNeighbor's gradient, as tfjs registers it, except on 'cpu' with a batch > 1: the
 * cpu ResizeNearestNeighborGrad kernel (tfjs-backend-cpu 4.22) offsets dy by the IMAGES' batch
 * stride, so samples after the first read the wrong rows (or past the end: NaN). There it runs
 * once per sample and concatenates.
 */
const resizeNearestGrad: tf.GradConfig = {
  kernelName: 'ResizeNearestNeighbor',
  inputsToSave: ['images'],
  gradFunc: (dy, saved, attrs) => {
    const images = saved1(saved, 'ResizeNearestNeighbor');
    const g = dy as tf.Tensor;
    const grad = (im: tf.Tensor, d: tf.Tensor) =>
      run('ResizeNearestNeighborGrad', { images: im, dy: d }, attrs as Attrs);
    const n = images.shape[0]!;
    if (tf.getBackend() !== 'cpu' || n === 1) return { images: () => grad(images, g) };
    const one = (t: tf.Tensor, b: number) => tf.slice(t, [b, 0, 0, 0], [1, -1, -1, -1]);
    return {
      images: () =>
        tf.concat(
          Array.from({ length: n }, (_, b) => grad(one(images, b), one(g, b))),
          0,
        ),
    };
  },
};

/**
 * FusedBatchNorm (eval-mode BN: y = (x − mean)·γ/√(var + ε) + β) with broadcasting instead of
 * tfjs's tile of 1/√(var + ε) to x's full shape: the same values, without a full-size tensor per
 * BN in every backward pass (and on the double-backprop tape).
 */
const fusedBatchNormGrad: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor?];
    const eps = (attrs as Attrs).varianceEpsilon as number;
    const g = dy as tf.Tensor;
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor) => tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, mean.shape);
    const r = tf.rsqrt(tf.add(variance, eps)); // 1/√(var + ε), mean's shape
    const gScaled = scale ? tf.mul(g, scale) : g; // dy·γ
    return {
      x: () => tf.mul(gScaled, r),
      mean: () => reduce(tf.neg(tf.mul(gScaled, r))),
      variance: () =>
        reduce(tf.mul(tf.mul(gScaled, tf.sub(x, mean)), tf.mul(tf.mul(r, tf.square(r)), -0.5))),
      scale: () => reduce(tf.mul(g, tf.mul(tf.sub(x, mean), r))),
      offset: () => reduce(g),
    };
  },
};

const lessEqualGrad: tf.GradConfig = {
  kernelName: 'LessEqual',
  inputsToSave: ['a', 'b'],
  gradFunc: (_dy, saved) => {
    const [a, b] = saved2(saved, 'LessEqual');
    return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
  },
};

/** σ'(x) = σ(x)(1 − σ(x)), σ recomputed from the saved input (see the header). */
const sigmoidGrad: tf.GradConfig = {
  kernelName: 'Sigmoid',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const x = saved1(saved, 'Sigmoid');
    return {
      x: () => {
        const s = tf.sigmoid(x);
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
      },
    };
  },
};

const GRADS: tf.GradConfig[] = [
  conv2dBackpropFilterGrad,
  depthwiseBackpropFilterGrad,
  depthwiseBackpropInputGrad,
  avgPoolGradGrad,
  resizeNearestGradGrad,
  resizeNearestGrad,
  fusedBatchNormGrad,
  lessEqualGrad,
  sigmoidGrad,
];

/** Kernel names whose gradient this module registers (or replaces). */
export const SECOND_ORDER_GRADIENT_KERNELS: readonly string[] = GRADS.map((g) => g.kernelName);

const sharingKernels = new WeakSet<tf.KernelFunc>();

/**
 * wasm's Identity (and Cast to the same dtype) copy the data; the cpu backend shares it, as
 * Reshape does everywhere (tfjs tensors are immutable; Variable.assign swaps the data id). The
 * tape clones every tensor an op saves for its backward pass, so sharing halves the memory of a
 * double-backprop pass on wasm. Installed once the wasm kernels are registered (idempotent).
 */
function shareCopiesOnWasm(): void {
  for (const name of ['Identity', 'Cast']) {
    const current = tf.getKernel(name, 'wasm');
    if (!current || sharingKernels.has(current.kernelFunc)) continue;
    const kernelFunc: tf.KernelFunc = (args) => {
      const x = args.inputs.x;
      const dtype = name === 'Cast' ? (args.attrs as { dtype?: tf.DataType }).dtype : x?.dtype;
      if (!x || x.dtype !== dtype || x.dtype === 'string') return current.kernelFunc(args);
      (args.backend as unknown as { incRef(id: unknown): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    };
    sharingKernels.add(kernelFunc);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...current, kernelFunc });
  }
}

let registered = false;

/**
 * Registers the gradients above (idempotent; replaces Sigmoid's, ResizeNearestNeighbor's and
 * FusedBatchNorm's), and makes wasm's Identity/Cast share data when the wasm kernels are loaded.
 */
export function registerSecondOrderGradients(): void {
  if (!registered) for (const g of GRADS) tf.registerGradient(g);
  registered = true;
  shareCopiesOnWasm();
}

registerSecondOrderGradients();
