/**
 * Backend API without side effects. Register backends separately, once per environment:
 * `import './register-browser-backends'` (worker) or `import './register-node-backends'` (Node).
 */
export { registerWasmGradKernels, WASM_GRAD_KERNEL_NAMES } from './wasm-grad-kernels';
export {
  AUTO_ORDER,
  selectBackend,
  webglSkipReason,
  webgpuSkipReason,
  type BackendAttempt,
  type BackendChoice,
  type BackendEnv,
  type BackendName,
  type WebGpuAdapterFacts,
} from './select-backend';
