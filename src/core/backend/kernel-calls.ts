/**
 * Composing a backend's own kernels inside a new kernel: call each registered kernelFunc directly
 * with the backend (no engine, no tape), and free every intermediate through backend.disposeData
 * once the composite is done. Used by the wasm gradient kernels.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The part of a tfjs backend a composite kernel needs (BackendWasm satisfies it). */
export interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

type Attrs = Record<string, unknown>;

/** Runs kernels of one backend and remembers their outputs so they can be freed together. */
export class KernelCalls {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(
    private readonly backend: DisposingBackend,
    private readonly backendName: string,
  ) {}

  /** The backend itself, for kernels that work on its memory directly (typed as the caller needs). */
  backendAs<B>(): B {
    return this.backend as unknown as B;
  }

  /** Runs kernel `name` on this backend; its output is freed by dispose() unless kept. */
  run(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Attrs = {}): tf.TensorInfo {
    const config = tf.getKernel(name, this.backendName);
    if (!config) {
      throw new Error(`kernel '${name}' is not registered for backend '${this.backendName}'`);
    }
    const out = config.kernelFunc({
      inputs,
      backend: this.backend,
      attrs: attrs as tf.NamedAttrMap,
    });
    if (Array.isArray(out)) {
      throw new Error(`kernel '${name}' returned ${out.length} outputs; expected one`);
    }
    this.temps.push(out);
    return out;
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  /**
   * Spatial crop of an NHWC tensor: rows [top, top + h), cols [left, left + w), all channels.
   * wasm's Slice copies one innermost run per JS call, so the crop is done on [N, H, W·C], whose
   * runs are w·C long instead of C.
   */
  cropHW(x: tf.TensorInfo, top: number, left: number, h: number, w: number): tf.TensorInfo {
    const [n, xh, xw, c] = x.shape as [number, number, number, number];
    if (top === 0 && left === 0 && h === xh && w === xw) return x;
    const flat = this.reshape(x, [n, xh, xw * c]);
    const cut = this.slice(flat, [0, top, left * c], [n, h, w * c]);
    return this.reshape(cut, [n, h, w, c]);
  }

  /** Makes `t` (created by the caller on this backend) an intermediate freed by dispose(). */
  adopt(t: tf.TensorInfo): tf.TensorInfo {
    this.temps.push(t);
    return t;
  }

  /** Frees intermediate `t` now (large temporaries in a loop). */
  free(t: tf.TensorInfo): void {
    const i = this.temps.lastIndexOf(t);
    if (i < 0) throw new Error('free(): tensor was not produced by this KernelCalls');
    this.temps.splice(i, 1);
    this.backend.disposeData(t.dataId);
  }

  /** Removes `t` from the intermediates (it becomes the caller's result). */
  keep(t: tf.TensorInfo): tf.TensorInfo {
    const i = this.temps.lastIndexOf(t);
    if (i < 0) throw new Error('keep(): tensor was not produced by this KernelCalls');
    this.temps.splice(i, 1);
    return t;
  }

  /** Frees every intermediate (reshapes share data; the backend counts references). */
  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs `body` with a fresh KernelCalls; returns its result kept, frees everything else. */
export function composite(
  backend: unknown,
  backendName: string,
  body: (k: KernelCalls) => tf.TensorInfo,
): tf.TensorInfo {
  const k = new KernelCalls(backend as DisposingBackend, backendName);
  try {
    return k.keep(body(k));
  } finally {
    k.dispose();
  }
}
