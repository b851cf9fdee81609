import { defineConfig } from 'vitest/config';

// Unit + integration tests for src/core run in Node on the tfjs cpu/wasm backends.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['src/test-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
