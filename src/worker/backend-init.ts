/**
 * Backend start-up in the worker: registers the browser backends, points tfjs-backend-wasm at
 * its .wasm files (Vite `?url` assets), and selects WebGPU → WebGL → wasm → cpu (or the one that
 * `?backend=` forces), reporting every fallback with its reason. Also answers the e2e test hook:
 * which backend tfjs really runs and which WebGPU adapter the worker sees.
 */
import * as tf from '@tensorflow/tfjs-core';
// TEMPORARY until core/backend/register-browser-backends.ts lands:
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { BackendInfo, BackendPreference, DebugInfo } from './lab-types.ts';

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

function gpu(): GpuLike | undefined {
  return (navigator as unknown as { gpu?: GpuLike }).gpu;
}

export async function initBackend(pref: BackendPreference): Promise<BackendInfo> {
  const order = pref === 'auto' ? ['webgpu', 'webgl', 'wasm', 'cpu'] : [pref];
  const fallbacks: BackendInfo['fallbacks'] = [];
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return {
          name,
          reason: pref === 'auto' ? 'first available' : 'forced',
          forced: pref !== 'auto',
          fallbacks,
        };
      }
      fallbacks.push({ name, reason: 'failed to initialise' });
    } catch (e) {
      fallbacks.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(
    `no tfjs backend could start: ${fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`,
  );
}

export async function debugInfo(): Promise<DebugInfo> {
  let adapter: DebugInfo['adapter'] = null;
  const g = gpu();
  if (g) {
    const a = await g.requestAdapter();
    if (a) {
      adapter = {
        vendor: a.info?.vendor ?? '',
        architecture: a.info?.architecture ?? '',
        isFallbackAdapter: a.isFallbackAdapter ?? false,
      };
    }
  }
  return { tfBackend: tf.getBackend(), adapter, numTensors: tf.memory().numTensors };
}
