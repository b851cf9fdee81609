// Where benchmarks find the shared data (env MICRONET_SHARED / CIFAR100_DIR override) and write.
import path from 'node:path';

const repoRoot = process.cwd();
export const SHARED_DIR = process.env.MICRONET_SHARED ?? path.resolve(repoRoot, '..', 'shared');
export const CIFAR_DIR = process.env.CIFAR100_DIR ?? path.join(SHARED_DIR, 'cifar-100-binary');
export const OUT_DIR = path.join(repoRoot, '.bench-out');
