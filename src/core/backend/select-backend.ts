/**
 * Backend selection with recorded fallbacks: WebGPU → WebGL (only on a hardware renderer) →
 * wasm (single-threaded: multi-threaded wasm breaks under Vite's minified build) → cpu.
 * Each candidate is activated with tf.setBackend and then smoke-tested with a tiny op (a WebGPU
 * backend whose adapter request failed can "succeed" and throw on every op). Skipped or failed
 * candidates are returned with the reason. Backends must be registered first: import
 * register-browser-backends.ts (browser) or register-node-backends.ts (Node).
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmGradKernels } from './wasm-grad-kernels';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface WebGpuAdapterFacts {
  isFallbackAdapter?: boolean;
  vendor?: string;
  architecture?: string;
}

export interface BackendEnv {
  /** navigator.gpu exists. */
  hasWebGPU: boolean;
  /**
   * Adapter facts if the caller probed one (probeWebGpuAdapter); null = requestAdapter gave
   * none; undefined = not probed (setBackend will find out).
   */
  webgpuAdapter?: WebGpuAdapterFacts | null;
  /** Unmasked WebGL renderer (probeWebglRenderer); null = no WebGL context; undefined = unknown. */
  webglRenderer?: string | null;
  /** Skip a WebGPU fallback (software) adapter in 'auto' (default false). */
  skipFallbackWebGPU?: boolean;
  /**
   * Let wasm load its multi-threaded build when the platform supports it (a cross-origin
   * isolated browser context). Default false: single-threaded, the only build Node can load.
   */
  wasmThreads?: boolean;
}

export interface BackendAttempt {
  name: BackendName;
  reason: string;
}

export interface BackendChoice {
  name: BackendName;
  reason: string;
  /** Candidates tried before `name`, in order, with why each was skipped or failed. */
  fallbacks: BackendAttempt[];
}

const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|basic render|mesa offscreen/i;

/** Why WebGL should be skipped in 'auto' (a software renderer or no context), or null. */
export function webglSkipReason(renderer: string | null | undefined): string | null {
  if (renderer === null) return 'no WebGL context';
  if (renderer !== undefined && SOFTWARE_GL.test(renderer))
    return `software renderer (${renderer})`;
  return null;
}

/** Why WebGPU should be skipped in 'auto', or null. */
export function webgpuSkipReason(env: BackendEnv): string | null {
  if (!env.hasWebGPU) return 'navigator.gpu is not available';
  if (env.webgpuAdapter === null) return 'requestAdapter() returned no adapter';
  if (env.skipFallbackWebGPU && env.webgpuAdapter?.isFallbackAdapter) {
    const a = env.webgpuAdapter;
    return (
      `the only WebGPU adapter is a software fallback (${a.architecture || a.vendor || 'unknown'}), ` +
      'far slower than wasm; ?backend=webgpu forces it'
    );
  }
  return null;
}

function skipReason(name: BackendName, env: BackendEnv): string | null {
  if (!tf.findBackendFactory(name)) return 'not registered (import register-*-backends.ts)';
  if (name === 'webgpu') return webgpuSkipReason(env);
  if (name === 'webgl') return webglSkipReason(env.webglRenderer);
  return null;
}

function prepare(name: BackendName, env: BackendEnv): void {
  if (name !== 'wasm') return;
  registerWasmGradKernels();
  if (env.wasmThreads === true) return; // tfjs's own check decides (SharedArrayBuffer, threads)
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  } catch {
    // flag not registered: the wasm backend module was not imported (setBackend will fail)
  }
}

/** Activates `name` and checks 1 + 2 = 3 on it; returns a failure reason or null. */
async function activate(name: BackendName, env: BackendEnv): Promise<string | null> {
  prepare(name, env);
  try {
    if (!(await tf.setBackend(name))) return 'initialisation failed';
    await tf.ready();
    const t = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
    const v = (await t.data())[0];
    t.dispose();
    return v === 3 ? null : `smoke test gave ${v}, expected 3`;
  } catch (e) {
    return `error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Picks and activates a backend. With `preferred` ≠ 'auto' that backend is tried first without
 * the auto heuristics (forcing); if it fails the auto order follows.
 */
export async function selectBackend(
  preferred: BackendName | 'auto',
  env: BackendEnv,
): Promise<BackendChoice> {
  if (preferred !== 'auto' && !AUTO_ORDER.includes(preferred)) {
    throw new Error(
      `unknown backend '${String(preferred)}'; expected auto or ${AUTO_ORDER.join(', ')}`,
    );
  }
  const fallbacks: BackendAttempt[] = [];
  if (preferred !== 'auto') {
    const failure = tf.findBackendFactory(preferred)
      ? await activate(preferred, env)
      : 'not registered';
    if (failure === null) return { name: preferred, reason: 'requested', fallbacks };
    fallbacks.push({ name: preferred, reason: `requested but ${failure}` });
  }
  for (const name of AUTO_ORDER) {
    if (name === preferred) continue;
    const skip = skipReason(name, env);
    if (skip !== null) {
      fallbacks.push({ name, reason: `skipped: ${skip}` });
      continue;
    }
    const failure = await activate(name, env);
    if (failure === null) {
      const first =
        fallbacks.length === 0
          ? 'first choice'
          : `after ${fallbacks.map((f) => f.name).join(', ')}`;
      return { name, reason: `auto: ${first}`, fallbacks };
    }
    fallbacks.push({ name, reason: `failed: ${failure}` });
  }
  const summary = fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ');
  throw new Error(`no tfjs backend could be activated (${summary})`);
}
