import { describe, expect, it } from 'vitest';
import { countParams, listParams } from '../graph/params';
import { inferShapes } from '../graph/shapes';
import { roundHalfEven } from '../util/round-half-even';
import { blocksPerStage, pyramidNetPlan } from './pyramidnet';
import { buildCifarResNet } from './resnet';
import { buildTinyNet } from './tiny';
import { buildFromZooName, ZOO_NAMES } from './zoo';

describe('PyramidNet specs (no tensors)', () => {
  it('matches the stated parameter counts of the large seed nets', () => {
    expect(countParams(buildFromZooName('pyramidnet-bottleneck-272-a200'))).toBe(26_288_692);
    expect(countParams(buildFromZooName('pyramidnet-basic-110-a48'))).toBe(1_778_556);
    expect(countParams(buildFromZooName('pyramidnet-bottleneck-11-a48'))).toBe(144_532);
    expect(countParams(buildFromZooName('pyramidnet-basic-8-a48'))).toBe(120_756);
  });

  it('grows widths by rounded running sums (PYRAMIDNET.md examples)', () => {
    const p272 = pyramidNetPlan({ depth: 272, alpha: 200, bottleneck: true });
    expect(p272).toHaveLength(90);
    expect(p272.slice(0, 4).map((b) => b.planes)).toEqual([18, 20, 23, 25]);
    expect(p272.slice(-2).map((b) => b.planes)).toEqual([214, 216]);
    expect(p272.at(-1)!.outChannels).toBe(864);
    const p110 = pyramidNetPlan({ depth: 110, alpha: 48, bottleneck: false });
    expect(p110.slice(0, 6).map((b) => b.planes)).toEqual([17, 18, 19, 20, 20, 21]);
    expect(p110.slice(-2).map((b) => b.planes)).toEqual([63, 64]);
    const p11 = pyramidNetPlan({ depth: 11, alpha: 48, bottleneck: true });
    expect(p11.map((b) => [b.planes, b.outChannels, b.stride])).toEqual([
      [32, 128, 1],
      [48, 192, 2],
      [64, 256, 2],
    ]);
    expect(p11.map((b) => 1 - b.p)).toEqual([0.8333333333333334, 0.6666666666666667, 0.5]);
    expect(p272.at(-1)!.p).toBe(0.5);
  });

  it('has the seed layout: final map 8×8×256, logits [100]', () => {
    const shapes = inferShapes(buildFromZooName('pyramidnet-bottleneck-11-a48'));
    expect(shapes.get('layer1.0.add')).toEqual([32, 32, 128]);
    expect(shapes.get('layer2.0.downsample')).toEqual([16, 16, 128]);
    expect(shapes.get('layer3.0.add')).toEqual([8, 8, 256]);
    expect(shapes.get('fc')).toEqual([100]);
  });

  it('rounds half to even like Python and rejects bad depths', () => {
    expect([0.5, 1.5, 2.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 2, 3]);
    expect(blocksPerStage(272, true)).toBe(30);
    expect(() => blocksPerStage(12, true)).toThrow(/9n\+2.*got 12/);
  });
});

describe('CIFAR ResNet', () => {
  it('counts: option A 269,722 (10 classes) / 275,572 (100); option B 272,474 (10)', () => {
    expect(countParams(buildCifarResNet({ depth: 20, numClasses: 10 }))).toBe(269_722);
    expect(countParams(buildFromZooName('resnet-20'))).toBe(269_722 + 5_850);
    expect(countParams(buildCifarResNet({ depth: 20, numClasses: 10, shortcut: 'B' }))).toBe(
      272_474,
    );
    expect(countParams(buildCifarResNet({ depth: 32, numClasses: 10 }))).toBe(464_154);
    expect(countParams(buildCifarResNet({ depth: 56, numClasses: 10 }))).toBe(853_018);
  });

  it('uses akamaster state_dict names and pads option-A shortcuts on both sides', () => {
    const g = buildFromZooName('resnet-20');
    const names = listParams(g).map((p) => p.name);
    expect(names.slice(0, 2)).toEqual(['conv1.weight', 'bn1.weight']);
    expect(names).toContain('layer3.2.bn2.running_var');
    expect(names.slice(-2)).toEqual(['linear.weight', 'linear.bias']);
    expect(g.nodes.find((n) => n.name === 'layer2.0.shortcut_pad')!.spec).toEqual({
      op: 'padchannels',
      channels: 32,
      front: 8,
    });
    expect(inferShapes(g).get('layer3.0.add')).toEqual([8, 8, 64]);
  });
});

describe('zoo', () => {
  it('builds every example name, tiny has 30,196 params', () => {
    for (const name of ZOO_NAMES) expect(buildFromZooName(name).name).toBe(name);
    expect(countParams(buildTinyNet())).toBe(30_196);
    expect(buildFromZooName('resnet-20', { numClasses: 10 }).numClasses).toBe(10);
  });

  it('rejects unknown names listing the valid patterns', () => {
    expect(() => buildFromZooName('vgg-16')).toThrow(
      /unknown model 'vgg-16'.*pyramidnet-bottleneck-<depth>-a<alpha>/,
    );
    expect(() => buildFromZooName('resnet-21')).toThrow(/6n\+2.*21/);
  });
});
