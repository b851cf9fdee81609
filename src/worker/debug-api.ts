/**
 * The bench, debug and test-hook methods of the worker's API (lab-api.ts spreads them in; the
 * main thread reaches them through `window.__lab`, client/lab-client.ts): tfjs state, the
 * throughput and checkpoint benchmarks, a checkpoint's logits, a zoo network made current, and
 * the simulated crash, wasm abort and WebGPU device loss. Spread in only where LAB_DEBUG
 * (protocol/lab-debug.ts): dev server, tests, `VITE_LAB_DEBUG=1 vite build`.
 */
import { debugInfo, debugLoseDevice } from './backend-init';
import {
  runBenchmark,
  runCheckpointBenchmark,
  type BenchmarkRequest,
  type CheckpointBenchmarkRequest,
} from './bench-service';
import type { CurrentNetwork } from './current-network';
import { debugAbort } from './debug-abort';
import { debugUseNetwork, type DebugNetworkRequest } from './debug-network';
import type { BackendInfo, DebugInfo } from './lab-types';
import { logitsOfCheckpoint, type LogitsProbeRequest } from './logits-probe';

export function debugApi(ensureBackend: () => Promise<BackendInfo>, current: CurrentNetwork) {
  return {
    debugInfo(): Promise<DebugInfo> {
      return debugInfo();
    },
    /** Throughput benchmark on the selected backend (bench/browser-throughput.ts uses it). */
    async benchmark(request: BenchmarkRequest) {
      await ensureBackend();
      return runBenchmark(request);
    },
    /** A real checkpoint's evaluation on the selected backend (bench/browser-osi.ts uses it). */
    async benchmarkCheckpoint(request: CheckpointBenchmarkRequest) {
      await ensureBackend();
      return runCheckpointBenchmark(request);
    },
    /** Debug: a checkpoint's logits on the first test records (bench/osi-logits.ts uses it). */
    logitsOfCheckpoint: (r: LogitsProbeRequest) =>
      ensureBackend().then(() => logitsOfCheckpoint(r)),
    /** Debug: a zoo network (optionally factorized) as the current one (bench/browser-score-drag.ts). */
    debugUseNetwork: (r: DebugNetworkRequest) =>
      ensureBackend().then(() => debugUseNetwork(current, r)),
    /** Test hook: an uncaught error in the worker (its 'error' event reaches the main thread). */
    debugCrash(): void {
      setTimeout(() => {
        throw new Error('simulated worker crash (test hook)');
      }, 0);
    },
    /** Test hook: every later job fails as after a wasm abort (./debug-abort.ts). */
    debugAbort(): void {
      debugAbort();
    },
    /** Test hook: destroys the WebGPU device (false when the backend is not WebGPU). */
    debugLoseDevice(): boolean {
      return debugLoseDevice();
    },
  };
}
