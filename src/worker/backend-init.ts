/**
 * Backend start-up in the worker: registers the browser backends (core/backend), points
 * tfjs-backend-wasm at its .wasm files (Vite `?url` assets), probes the WebGPU adapter and the
 * WebGL renderer, and selects WebGPU → WebGL (hardware only) → wasm → cpu, or the one `?backend=`
 * forces; every fallback comes back with its reason. On WebGPU it watches `device.lost` and
 * reports the loss (onDeviceLost), so the main thread can start a new worker. Also answers the
 * e2e test hook: which backend tfjs really runs and which WebGPU adapter the worker sees.
 */
import * as tf from '@tensorflow/tfjs-core';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import {
  configureWasmPaths,
  probeBrowserEnv,
  probeWebGpuAdapter,
} from '../core/backend/register-browser-backends';
import { selectBackend, type WebGpuAdapterFacts } from '../core/backend/select-backend';
import type { BackendInfo, BackendPreference, DebugInfo } from './lab-types';

configureWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': simdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl,
});

function describeAdapter(a: WebGpuAdapterFacts): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  return `WebGPU adapter ${name}${a.isFallbackAdapter ? ' (software fallback)' : ''}`;
}

export async function initBackend(pref: BackendPreference): Promise<BackendInfo> {
  // In 'auto', a software WebGPU adapter (SwiftShader) is skipped: wasm trains ~70× faster on
  // the same CPU (BENCHMARKS.md). Forcing ?backend=webgpu still uses it.
  const env = { ...(await probeBrowserEnv()), skipFallbackWebGPU: true };
  const choice = await selectBackend(pref, env);
  const forced = pref !== 'auto' && choice.name === pref;
  let reason = choice.reason;
  if (choice.name === 'webgpu' && env.webgpuAdapter) {
    reason = `${reason}; ${describeAdapter(env.webgpuAdapter)}`;
  }
  if (tf.getBackend() === 'webgpu') watchDevice();
  return { name: choice.name, reason, forced, fallbacks: choice.fallbacks, ...threadFacts() };
}

/**
 * Multi-threaded wasm needs SharedArrayBuffer, which browsers give only to cross-origin isolated
 * pages (COOP/COEP headers, see vite.config.ts and docs/DEPLOY.md); tfjs-backend-wasm then loads
 * its threaded SIMD build. Its XNNPACK pool has ⌊logical cores / 2⌋ threads, 1 to 8 (tfjs's
 * backend.cc assumes two hardware threads per core), so a 2-core machine still runs 1 thread.
 */
function threadFacts(): Pick<BackendInfo, 'crossOriginIsolated' | 'wasmThreads'> {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (tf.getBackend() !== 'wasm') return { crossOriginIsolated: isolated };
  let threads: number | undefined;
  try {
    threads = getThreadsCount();
  } catch {
    threads = undefined; // wasm not initialised (cannot happen once it is the backend)
  }
  return { crossOriginIsolated: isolated, wasmThreads: threads };
}

/** What the lab uses of tfjs-backend-webgpu's GPUDevice. */
interface LosableDevice {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy: () => void;
}

let deviceLostListener: ((message: string) => void) | null = null;
let lostMessage: string | null = null;

function webgpuDevice(): LosableDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: LosableDevice }).device ?? null;
}

/** Reports the WebGPU device's loss (driver reset, GPU process crash, destroy()) once. */
function watchDevice(): void {
  const device = webgpuDevice();
  void device?.lost.then((info) => {
    const text = [info.reason, info.message?.replace(/\.$/, '')].filter(Boolean).join(': ');
    lostMessage = text || 'no reason given';
    deviceLostListener?.(lostMessage);
  });
}

/** Calls `fn` when the WebGPU device is lost (at once if it already was). */
export function onDeviceLost(fn: (message: string) => void): void {
  deviceLostListener = fn;
  if (lostMessage !== null) fn(lostMessage);
}

/** True once the WebGPU device was lost: nothing more can run on this worker's backend. */
export function deviceWasLost(): boolean {
  return lostMessage !== null;
}

/** Test hook: destroys the WebGPU device (its loss is then reported); false without WebGPU. */
export function debugLoseDevice(): boolean {
  const device = webgpuDevice();
  device?.destroy();
  return device !== null;
}

export async function debugInfo(): Promise<DebugInfo> {
  const a = await probeWebGpuAdapter().catch(() => null);
  return {
    tfBackend: tf.getBackend(),
    adapter: a
      ? {
          vendor: a.vendor ?? '',
          architecture: a.architecture ?? '',
          isFallbackAdapter: a.isFallbackAdapter ?? false,
        }
      : null,
    numTensors: tf.memory().numTensors,
  };
}
