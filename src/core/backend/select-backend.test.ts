import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_BACKEND_ENV } from './register-node-backends';
import { selectBackend, webglSkipReason, webgpuSkipReason } from './select-backend';

describe('selectBackend (Node: cpu + wasm registered)', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('auto skips webgpu and webgl with reasons and picks single-threaded wasm', async () => {
    const choice = await selectBackend('auto', NODE_BACKEND_ENV);
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    expect(choice.fallbacks.map((f) => f.name)).toEqual(['webgpu', 'webgl']);
    expect(choice.fallbacks[0]!.reason).toMatch(/skipped: not registered/);
    expect(choice.reason).toMatch(/after webgpu, webgl/);
  });

  it('honours a forced backend', async () => {
    const choice = await selectBackend('cpu', NODE_BACKEND_ENV);
    expect(choice).toEqual({ name: 'cpu', reason: 'requested', fallbacks: [] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back when the forced backend is unavailable', async () => {
    const choice = await selectBackend('webgl', NODE_BACKEND_ENV);
    expect(choice.name).toBe('wasm');
    expect(choice.fallbacks[0]).toEqual({ name: 'webgl', reason: 'requested but not registered' });
  });

  it('rejects unknown names', async () => {
    await expect(selectBackend('tpu' as never, NODE_BACKEND_ENV)).rejects.toThrow(
      /unknown backend 'tpu'/,
    );
  });
});

describe('skip heuristics', () => {
  it('detects software WebGL renderers', () => {
    expect(
      webglSkipReason(
        'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      ),
    ).toMatch(/software renderer/);
    expect(webglSkipReason('llvmpipe (LLVM 15.0.6, 256 bits)')).toMatch(/software/);
    expect(
      webglSkipReason('ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)'),
    ).toBeNull();
    expect(webglSkipReason(undefined)).toBeNull();
    expect(webglSkipReason(null)).toBe('no WebGL context');
  });

  it('checks WebGPU availability and optionally fallback adapters', () => {
    expect(webgpuSkipReason({ hasWebGPU: false })).toMatch(/navigator.gpu/);
    expect(webgpuSkipReason({ hasWebGPU: true, webgpuAdapter: null })).toMatch(/no adapter/);
    const swiftshader = { isFallbackAdapter: true, architecture: 'swiftshader' };
    expect(webgpuSkipReason({ hasWebGPU: true, webgpuAdapter: swiftshader })).toBeNull();
    expect(
      webgpuSkipReason({ hasWebGPU: true, webgpuAdapter: swiftshader, skipFallbackWebGPU: true }),
    ).toMatch(/swiftshader/);
  });
});
