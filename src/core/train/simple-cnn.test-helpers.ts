/**
 * A hand-built CNN on raw tf.variables (no graph IR) for the trainer's tests and benchmarks:
 * [3×3 conv (pad 1, no bias) → batch norm → ReLU] per stage, global mean pool, dense.
 * He-normal init from a seed; BN in PyTorch semantics (biased variance to normalise, unbiased
 * for running_var, momentum 0.1, eps 1e-5). Default stages 16, 32 (s2), 64 (s2): the
 * "conv16-32-64" benchmark net.
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeRng, randNormal } from '../util/rng';
import type { BnStats, TrainForward, TrainableModel } from './types';

export interface SimpleCnnSpec {
  inChannels?: number;
  stages?: { out: number; stride: number }[];
  numClasses?: number;
  seed?: number;
}

const PAD1: [[0, 0], [1, 1], [1, 1], [0, 0]] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];
const EPS = 1e-5;
const MOMENTUM = 0.1;

let nextId = 0;

export class SimpleCnn implements TrainableModel {
  private readonly trainable = new Map<string, tf.Variable>();
  private readonly buffers = new Map<string, tf.Variable>();
  private readonly stages: { out: number; stride: number }[];
  private readonly id = nextId++;

  constructor(spec: SimpleCnnSpec = {}) {
    const rng = makeRng(spec.seed ?? 0);
    this.stages = spec.stages ?? [
      { out: 16, stride: 1 },
      { out: 32, stride: 2 },
      { out: 64, stride: 2 },
    ];
    let c = spec.inChannels ?? 3;
    this.stages.forEach((s, i) => {
      this.param(
        `conv${i}.weight`,
        [3, 3, c, s.out],
        () => randNormal(rng) * Math.sqrt(2 / (9 * c)),
      );
      this.param(`bn${i}.weight`, [s.out], () => 1);
      this.param(`bn${i}.bias`, [s.out], () => 0);
      this.buffer(`bn${i}.running_mean`, [s.out], 0);
      this.buffer(`bn${i}.running_var`, [s.out], 1);
      c = s.out;
    });
    const k = spec.numClasses ?? 100;
    this.param('fc.weight', [c, k], () => randNormal(rng) * Math.sqrt(1 / c));
    this.param('fc.bias', [k], () => 0);
  }

  private param(name: string, shape: number[], init: () => number): void {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(Float32Array.from({ length: size }, init), shape);
    this.trainable.set(name, tf.variable(t, true, `simplecnn${this.id}/${name}`));
    t.dispose();
  }

  private buffer(name: string, shape: number[], value: number): void {
    this.buffers.set(
      name,
      tf.tidy(() => tf.variable(tf.fill(shape, value), false, `simplecnn${this.id}/${name}`)),
    );
  }

  get(name: string): tf.Variable {
    const v = this.trainable.get(name) ?? this.buffers.get(name);
    if (!v) throw new Error(`SimpleCnn has no parameter '${name}'`);
    return v;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.trainable.values()];
  }

  trainableNames(): string[] {
    return [...this.trainable.keys()];
  }

  private forward(x: tf.Tensor4D, stats: Map<string, BnStats> | null): tf.Tensor2D {
    let h: tf.Tensor4D = x;
    this.stages.forEach((s, i) => {
      const y = tf.conv2d(h, this.get(`conv${i}.weight`) as tf.Tensor4D, s.stride, PAD1); // [N,H,W,C]
      let mean: tf.Tensor = this.get(`bn${i}.running_mean`);
      let variance: tf.Tensor = this.get(`bn${i}.running_var`);
      if (stats) {
        ({ mean, variance } = tf.moments(y, [0, 1, 2]));
        const n = y.size / y.shape[3];
        stats.set(`bn${i}`, { mean, variance: tf.mul(variance, n / (n - 1)) });
      }
      const scale = tf.mul(this.get(`bn${i}.weight`), tf.rsqrt(tf.add(variance, EPS)));
      const shift = tf.sub(this.get(`bn${i}.bias`), tf.mul(mean, scale));
      h = tf.relu(tf.add(tf.mul(y, scale), shift)) as tf.Tensor4D;
    });
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D; // [N, C]
    return tf.add(tf.matMul(pooled, this.get('fc.weight') as tf.Tensor2D), this.get('fc.bias'));
  }

  forwardTrain(x: tf.Tensor4D): TrainForward {
    const stats = new Map<string, BnStats>();
    const logits = this.forward(x, stats);
    return { logits, bnBatchStats: stats };
  }

  applyBnUpdates(stats: ReadonlyMap<string, BnStats>): void {
    for (const [name, s] of stats) {
      for (const [kind, batch] of [
        ['running_mean', s.mean],
        ['running_var', s.variance],
      ] as const) {
        const running = this.get(`${name}.${kind}`);
        tf.tidy(() =>
          running.assign(tf.add(tf.mul(running, 1 - MOMENTUM), tf.mul(batch, MOMENTUM))),
        );
      }
    }
  }

  predict(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.forward(x, null));
  }

  dispose(): void {
    for (const v of [...this.trainable.values(), ...this.buffers.values()]) v.dispose();
  }
}
