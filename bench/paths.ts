// Where benchmarks find the shared data (env MICRONET_SHARED / CIFAR100_DIR override) and write
// (env MICRONET_BENCH_OUT overrides .bench-out).
import path from 'node:path';

const repoRoot = process.cwd();
export const SHARED_DIR = process.env.MICRONET_SHARED ?? path.resolve(repoRoot, '..', 'shared');
export const CIFAR_DIR = process.env.CIFAR100_DIR ?? path.join(SHARED_DIR, 'cifar-100-binary');
/** MICRONET_BENCH_OUT: write results elsewhere (e.g. a second part while a long one runs). */
export const OUT_DIR = process.env.MICRONET_BENCH_OUT ?? path.join(repoRoot, '.bench-out');
