// Vitest setup: core tests run on the tfjs cpu backend in Node (tests that need wasm set it
// themselves through src/core/backend).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

await tf.setBackend('cpu');
await tf.ready();
