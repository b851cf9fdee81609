/**
 * Model zoo: builds a graph from a name.
 *   tiny · resnet-<depth> (CIFAR ResNet, option A; depth 6n+2) ·
 *   pyramidnet-bottleneck-<depth>-a<alpha> (depth 9n+2) · pyramidnet-basic-<depth>-a<alpha> (6n+2) ·
 *   osi-micronet (OSI-AI's MicroNet Challenge entry, with its early-exit head).
 */
import type { Graph } from '../graph/ir';
import { buildOsiMicronet, OSI_MICRONET_NAME } from './osi-micronet';
import { buildPyramidNet } from './pyramidnet';
import { buildCifarResNet } from './resnet';
import { buildTinyNet } from './tiny';

export const ZOO_PATTERNS = [
  'tiny',
  'resnet-<depth> (depth 6n+2: 20, 32, 56, …)',
  'pyramidnet-bottleneck-<depth>-a<alpha> (depth 9n+2)',
  'pyramidnet-basic-<depth>-a<alpha> (depth 6n+2)',
  'osi-micronet',
] as const;

/** Examples for the UI, smallest first. */
export const ZOO_NAMES = [
  'tiny',
  'resnet-20',
  'resnet-32',
  'resnet-56',
  'pyramidnet-basic-8-a48',
  'pyramidnet-bottleneck-11-a48',
  'osi-micronet',
  'pyramidnet-basic-110-a48',
  'pyramidnet-bottleneck-272-a200',
] as const;

export interface ZooOptions {
  numClasses?: number;
}

export function buildFromZooName(name: string, o: ZooOptions = {}): Graph {
  const numClasses = o.numClasses ?? 100;
  if (name === 'tiny') return buildTinyNet({ numClasses });
  if (name === OSI_MICRONET_NAME) return buildOsiMicronet({ numClasses });
  const res = /^resnet-(\d+)$/.exec(name);
  if (res) return buildCifarResNet({ depth: Number(res[1]), numClasses });
  const pyr = /^pyramidnet-(bottleneck|basic)-(\d+)-a(\d+(?:\.\d+)?)$/.exec(name);
  if (pyr) {
    return buildPyramidNet({
      depth: Number(pyr[2]),
      alpha: Number(pyr[3]),
      bottleneck: pyr[1] === 'bottleneck',
      numClasses,
    });
  }
  throw new Error(`unknown model '${name}'; valid patterns: ${ZOO_PATTERNS.join(' | ')}`);
}
