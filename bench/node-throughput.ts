/** Train / eval throughput in Node on the cpu and wasm backends (the CLI's backends). */
import { selectNodeBackend } from '../src/cli/node-backend';
import { measureThroughput, type ThroughputResult } from '../src/core/bench/throughput';
import { buildFromZooName } from '../src/core/models/zoo';

/**
 * Batch 64 for the tiny net (the target); 32 for the PyramidNet, whose batch-64 training
 * step does not fit tfjs-backend-wasm's heap (measured: "memory access out of bounds").
 */
export const BENCH_CASES = [
  { model: 'tiny', batchSize: 64 },
  { model: 'pyramidnet-bottleneck-20-a48', batchSize: 32 },
] as const;

/** Fewer steps where a step takes tens of seconds (Node's cpu backend). */
const STEPS: Record<string, { train: number; eval: number }> = {
  wasm: { train: 5, eval: 5 },
  cpu: { train: 2, eval: 2 },
};

/** Starts a Node backend as the CLI does; wasm with `threads` XNNPACK threads (1 by default). */
export async function startNodeBackend(backend: 'cpu' | 'wasm', threads = 1): Promise<void> {
  await selectNodeBackend(backend, String(threads));
}

export async function benchNode(log: (s: string) => void): Promise<ThroughputResult[]> {
  const results: ThroughputResult[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await startNodeBackend(backend);
    for (const { model, batchSize } of BENCH_CASES) {
      const steps = STEPS[backend]!;
      log(`node ${backend} ${model}…`);
      const r = await measureThroughput({
        graph: buildFromZooName(model),
        batchSize,
        trainSteps: steps.train,
        evalBatches: steps.eval,
      });
      log(`  step ${r.trainStepMs.toFixed(0)} ms, eval ${r.evalImagesPerSecond.toFixed(0)} img/s`);
      results.push(r);
    }
  }
  return results;
}
