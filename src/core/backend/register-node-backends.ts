/**
 * Node only: registers the cpu and wasm backends (wasm finds its .wasm files in node_modules by
 * itself), the gradient functions, and the wasm training kernels. Never imports WebGL/WebGPU.
 * Under plain Node (not Vitest) run through scripts/run-bundled.mjs (see README.md here).
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import './register-gradients';
import { registerWasmGradKernels } from './wasm-grad-kernels';

registerWasmGradKernels();

/** Environment for selectBackend in Node: no WebGPU, no WebGL. */
export const NODE_BACKEND_ENV = { hasWebGPU: false, webglRenderer: null } as const;
