import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORACLES_DIR } from '../../test-paths';
import { readSafetensors } from '../io/safetensors';
import { initWeights } from '../graph/params';
import type { SafeTensor } from '../io/safetensors';
import { weightsToTorchStateDict } from '../io/torch-layout';
import { candidateNames, recognizeArchitecture } from './recognize';
import { buildFromZooName } from './zoo';

function stateDictOf(zooName: string, numClasses = 100): Map<string, SafeTensor> {
  const g = buildFromZooName(zooName, { numClasses });
  return weightsToTorchStateDict(g, initWeights(g, 3));
}

describe('recognizeArchitecture', () => {
  it.each([
    'pyramidnet-bottleneck-11-a48',
    'pyramidnet-basic-8-a48',
    'pyramidnet-bottleneck-20-a48',
    'resnet-20',
    'tiny',
  ])('recognises %s from its state_dict', (name) => {
    const r = recognizeArchitecture(stateDictOf(name));
    expect(r.zooName).toBe(name);
    expect(r.graph.name).toBe(buildFromZooName(name).name);
  });

  it('recognises the seed-named oracle checkpoints', () => {
    for (const [dir, name] of [
      ['bottleneck_d11_a48', 'pyramidnet-bottleneck-11-a48'],
      ['basic_d8_a48', 'pyramidnet-basic-8-a48'],
    ]) {
      const file = path.join(ORACLES_DIR, 'pyramidnet', dir!, 'weights.safetensors');
      const { tensors } = readSafetensors(new Uint8Array(fs.readFileSync(file)));
      expect(recognizeArchitecture(tensors).zooName).toBe(name);
    }
  });

  it('reads the class count from the classifier', () => {
    const r = recognizeArchitecture(stateDictOf('resnet-20', 10));
    expect(r.graph.numClasses).toBe(10);
  });

  it('names the candidates it tried when nothing fits', () => {
    const sd = stateDictOf('pyramidnet-basic-8-a48');
    sd.delete('layer2.0.conv1.weight');
    expect(candidateNames(sd)[0]).toBe('pyramidnet-basic-8-a48');
    expect(() => recognizeArchitecture(sd)).toThrow(
      /not recognised .*pyramidnet-basic-8-a48: .*missing 'layer2.0.conv1.weight'/,
    );
  });
});
