import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { it } from 'vitest';
it('scratch', () => {
const x = tf.tensor1d([0.3, -0.7]);
const s = (x: number) => 1 / (1 + Math.exp(-x));
console.log('sigmoid dd', tf.grad(tf.grad((x: tf.Tensor) => tf.sigmoid(x)))(x).dataSync(), [0.3, -0.7].map(v => s(v)*(1-s(v))*(1-2*s(v))));
console.log('exp dd', tf.grad(tf.grad((x: tf.Tensor) => tf.exp(x)))(x).dataSync(), [0.3,-0.7].map(Math.exp));
const z = tf.tensor2d([[0.3, -0.7, 0.5]]);
const c = tf.tensor2d([[1, 0, 0]]);
const h = tf.grad(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(z), c)) as tf.Scalar) as any)(z);
const p = [0.3,-0.7,0.5].map(Math.exp); const S = p.reduce((a,b)=>a+b); const q = p.map(v=>v/S);
// d/dz_j sum_i H_ij where H = -(diag(q) - q q^T) => column sums of H = 0
console.log('logsoftmax dd (col sums, expect 0)', h.dataSync(), q);
const hb = tf.grad(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(z), c)) as tf.Scalar) as any)(z, tf.tensor2d([[1,0,0]]));
console.log('logsoftmax H[:,0]?', hb.dataSync(), [-(q[0]!-q[0]!*q[0]!), q[0]!*q[1]!, q[0]!*q[2]!]);
});
