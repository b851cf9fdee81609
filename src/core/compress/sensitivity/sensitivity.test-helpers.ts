// Test-only: a tiny conv net (conv16-32-64, BN, ReLU, pool, fc) on 8×8 synthetic images, trained
// a few dozen SGD steps so that its loss means something (quantizing it to 2 bits must hurt).
import { Network } from '../../graph/network';
import { buildTinyNet } from '../../models/tiny';
import { syntheticSource, type SyntheticSource } from '../../train/synthetic-source';
import { train } from '../../train/trainer';

export const CLASSES = 6;

export function validationSource(size = 48): SyntheticSource {
  return syntheticSource({ size, numClasses: CLASSES, seed: 11, signal: 1 });
}

export function trainingSource(size = 192): SyntheticSource {
  return syntheticSource({ size, numClasses: CLASSES, seed: 5, signal: 1 });
}

export async function trainedTinyNet(steps = 12): Promise<Network> {
  const net = Network.fromInit(buildTinyNet({ numClasses: CLASSES, inputSize: 8 }), 3);
  const r = await train({
    model: net,
    source: trainingSource(),
    epochs: 10,
    batchSize: 32,
    schedule: { kind: 'constant', lr: 0.05 },
    seed: 1,
    maxSteps: steps,
    augment: false,
  });
  if (r.status !== 'completed') throw new Error(`tiny net training ${r.status}: ${r.message}`);
  return net;
}
