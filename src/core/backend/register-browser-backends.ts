/**
 * Browser / worker only: registers the WebGPU, WebGL, wasm and cpu backends (and the gradient
 * functions), and offers the probes selectBackend's env wants. Never import this from Node.
 *
 * The app must tell the wasm backend where its .wasm binaries are served, before the first
 * setBackend('wasm'), e.g. in src/worker with Vite's `?url` imports:
 *   import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
 *   import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
 *   import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
 *   configureWasmPaths({
 *     'tfjs-backend-wasm.wasm': wasmUrl,
 *     'tfjs-backend-wasm-simd.wasm': simdUrl,
 *     'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl,
 *   });
 * (or a directory prefix ending in '/' that serves all three files).
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import './register-gradients';
import { registerWasmGradKernels } from './wasm-grad-kernels';
import type { BackendEnv, WebGpuAdapterFacts } from './select-backend';

registerWasmGradKernels();

export type WasmFileName =
  'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';

/** Where the wasm binaries are served: a prefix ending in '/' or a file → URL map. */
export function configureWasmPaths(paths: string | Partial<Record<WasmFileName, string>>): void {
  if (typeof paths === 'string' && !paths.endsWith('/')) {
    throw new Error(`configureWasmPaths: a prefix must end with '/', got '${paths}'`);
  }
  setWasmPaths(paths);
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: WebGpuAdapterFacts; isFallbackAdapter?: boolean } | null>;
}

/** WebGPU adapter facts, or null when navigator.gpu gives none. */
export async function probeWebGpuAdapter(): Promise<WebGpuAdapterFacts | null> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return null;
  const info = adapter.info ?? {};
  return {
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
    vendor: info.vendor,
    architecture: info.architecture,
  };
}

/** Unmasked WebGL renderer (e.g. 'ANGLE (…SwiftShader…)'), '' when masked, null without WebGL. */
export function probeWebglRenderer(): string | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  const gl =
    new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = ext
    ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)
    : gl.getParameter(gl.RENDERER);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return typeof renderer === 'string' ? renderer : '';
}

/** The env for selectBackend from this browser context. */
export async function probeBrowserEnv(): Promise<BackendEnv> {
  const hasWebGPU = !!(globalThis.navigator as { gpu?: unknown } | undefined)?.gpu;
  return {
    hasWebGPU,
    webgpuAdapter: hasWebGPU ? await probeWebGpuAdapter().catch(() => null) : null,
    webglRenderer: probeWebglRenderer(),
    wasmThreads: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
  };
}
