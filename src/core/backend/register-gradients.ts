/**
 * tfjs-core 4.x does not register gradient functions on import (the `@tensorflow/tfjs` union
 * package does); without this, tf.grad / variableGrads fail with "gradient function not found".
 * Import this module (for its side effect) wherever gradients are taken.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
