/**
 * Turns a backend's raw failure into a message a user can act on. tfjs-backend-wasm has a fixed
 * heap (measured: a batch-64 training step of pyramidnet-bottleneck-20-a48 traps with
 * "memory access out of bounds"); WebGPU can lose its device.
 */
const WASM_OOM = /memory access out of bounds|out of memory|cannot enlarge memory|Aborted\(OOM\)/i;
const GPU_LOST = /device (was |is )?lost|GPUDevice.*(destroyed|lost)/i;

export function explainBackendError(e: unknown, backend: string): Error {
  const raw = e instanceof Error ? e.message : String(e);
  if (backend === 'wasm' && WASM_OOM.test(raw)) {
    return new Error(
      `the wasm backend ran out of memory (its heap is limited): lower the batch size or pick a ` +
        `smaller network, then reload the page (wasm said: ${raw})`,
    );
  }
  if (backend === 'webgpu' && GPU_LOST.test(raw)) {
    return new Error(`the WebGPU device was lost (driver reset or out of GPU memory): ${raw}`);
  }
  return e instanceof Error ? e : new Error(raw);
}
