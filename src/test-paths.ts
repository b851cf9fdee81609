// Test-only helpers (Node): where the shared, read-only data lives. Never copy it into the repo.
// MICRONET_SHARED overrides the shared folder; CIFAR100_DIR overrides the dataset folder.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const SHARED_DIR = process.env.MICRONET_SHARED ?? path.resolve(repoRoot, '..', 'shared');
export const CIFAR_DIR = process.env.CIFAR100_DIR ?? path.join(SHARED_DIR, 'cifar-100-binary');
export const ORACLES_DIR = path.join(SHARED_DIR, 'oracles');
export const MODELS_DIR = path.join(SHARED_DIR, 'models');
