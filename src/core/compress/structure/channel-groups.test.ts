import { describe, expect, it } from 'vitest';
import { inferShapes } from '../../graph/shapes';
import { buildFromZooName } from '../../models/zoo';
import { osiBlockPlan } from '../../models/osi-micronet';
import { channelGroups, type ChannelGroup } from './channel-groups';

const range = (lo: number, hi: number) => Array.from({ length: hi - lo }, (_, i) => lo + i);

function byId(groups: ChannelGroup[], id: string): ChannelGroup {
  const g = groups.find((x) => x.id === id);
  if (!g) throw new Error(`no group ${id}; have ${groups.map((x) => x.id).join(' ')}`);
  return g;
}

function member(g: ChannelGroup, node: string, axis: 'out' | 'in' = 'out'): number[] | undefined {
  return g.members.find((m) => m.node === node && m.axis === axis)?.positions;
}

const keys = (g: ChannelGroup) => g.members.map((m) => `${m.node}:${m.axis}`);

describe('channelGroups: every output slot belongs to exactly one group', () => {
  it.each([
    'tiny',
    'resnet-20',
    'pyramidnet-basic-8-a48',
    'pyramidnet-bottleneck-20-a48',
    'osi-micronet',
  ])('%s', (name) => {
    const graph = buildFromZooName(name);
    const shapes = inferShapes(graph);
    const groups = channelGroups(graph);
    const seen = new Map<string, number[]>();
    for (const g of groups) {
      for (const m of g.members.filter((x) => x.axis === 'out')) {
        expect(m.positions.length % g.width).toBe(0);
        seen.set(m.node, [...(seen.get(m.node) ?? []), ...m.positions]);
      }
    }
    for (const n of graph.nodes) {
      const width = shapes.get(n.name)!.at(-1)!;
      expect([...seen.get(n.name)!].sort((a, b) => a - b)).toEqual(range(0, width));
    }
    expect(new Set(groups.map((g) => g.id)).size).toBe(groups.length);
  });
});

describe('channelGroups on PyramidNet-20 (bottleneck, α 48: widths 24…64, outputs 96…256)', () => {
  const groups = channelGroups(buildFromZooName('pyramidnet-bottleneck-20-a48'));

  it('has 12 free inner groups, 7 residual-stream segments and 2 frozen groups', () => {
    expect(groups).toHaveLength(21);
    const frozen = groups.filter((g) => !g.prunable);
    expect(frozen.map((g) => [g.id, g.width])).toEqual([
      ['input', 3],
      ['fc', 100],
    ]);
    expect(frozen[1]!.reason).toMatch(/logits/);
    const streams = groups.filter((g) => g.prunable && g.layers.includes('bn_final'));
    expect(streams.map((g) => [g.id, g.width])).toEqual([
      ['conv1', 16],
      ['layer1.0.conv3[16:96]', 80],
      ['layer1.1.conv3[96:128]', 32],
      ['layer2.0.conv3[128:160]', 32],
      ['layer2.1.conv3[160:192]', 32],
      ['layer3.0.conv3[192:224]', 32],
      ['layer3.1.conv3[224:256]', 32],
    ]);
  });

  it("a bottleneck's inner channels form a free group: conv out, BN, ReLU, next conv's input", () => {
    const g = byId(groups, 'layer1.0.conv1');
    expect(g.width).toBe(24);
    expect(g.prunable).toBe(true);
    expect(keys(g)).toEqual([
      'layer1.0.conv1:out',
      'layer1.0.bn2:out',
      'layer1.0.relu1:out',
      'layer1.0.conv2:in',
    ]);
    expect(keys(byId(groups, 'layer2.0.conv2'))).toEqual([
      'layer2.0.conv2:out',
      'layer2.0.bn3:out',
      'layer2.0.relu2:out',
      'layer2.0.conv3:in',
    ]);
  });

  it('the stem stream joins the first 16 channels of every later block (zero-padded shortcuts)', () => {
    const g = byId(groups, 'conv1');
    expect(member(g, 'layer1.0.conv3')).toEqual(range(0, 16));
    expect(member(g, 'layer1.0.shortcut_pad')).toEqual(range(0, 16));
    expect(member(g, 'layer2.0.downsample')).toEqual(range(0, 16));
    expect(member(g, 'layer3.1.bn1')).toEqual(range(0, 16));
    expect(member(g, 'fc', 'in')).toEqual(range(0, 16));
    expect(g.reason).toMatch(/^7 producers/);
  });

  it("a block's padded tail is a segment shared with all later blocks, not with earlier ones", () => {
    const g = byId(groups, 'layer1.1.conv3[96:128]');
    expect(member(g, 'layer1.1.shortcut_pad')).toEqual(range(96, 128)); // the appended zeros
    expect(member(g, 'layer1.1.add')).toEqual(range(96, 128));
    expect(member(g, 'layer2.0.shortcut_pad')).toEqual(range(96, 128));
    expect(member(g, 'layer1.0.conv3')).toBeUndefined();
    expect(member(g, 'layer1.1.conv1', 'in')).toBeUndefined(); // layer1.1 reads 96 channels
    expect(member(g, 'layer2.0.conv1', 'in')).toEqual(range(96, 128));
    const last = byId(groups, 'layer3.1.conv3[224:256]');
    expect(last.reason).toBe("produced by 'layer3.1.conv3'");
    expect(last.layers).toEqual(['layer3.1.conv3', 'layer3.1.bn4', 'bn_final', 'fc']);
  });
});

describe('channelGroups on ResNet-20 option A (padding in front and behind)', () => {
  const groups = channelGroups(buildFromZooName('resnet-20'));
  it('the 16-channel stream lands on channels 8…23 of stage 2; the 16 zeros form one group', () => {
    const stem = byId(groups, 'conv1');
    expect(member(stem, 'layer2.0.shortcut_pad')).toEqual(range(8, 24));
    expect(member(stem, 'layer2.0.conv2')).toEqual(range(8, 24));
    const zeros = byId(groups, 'layer2.0.conv2#0');
    expect(zeros.width).toBe(16);
    expect(member(zeros, 'layer2.0.shortcut_pad')).toEqual([...range(0, 8), ...range(24, 32)]);
  });
});

describe('channelGroups on the OSI-AI MicroNet', () => {
  const groups = channelGroups(buildFromZooName('osi-micronet'));
  const plan = osiBlockPlan();

  it('has 29 prunable groups: stem, 9 expansions, 10 SE squeezes, 7 stream groups, 2 heads', () => {
    expect(groups).toHaveLength(32);
    expect(groups.filter((g) => g.prunable)).toHaveLength(29);
    const frozen = groups.filter((g) => !g.prunable);
    expect(frozen.map((g) => g.id)).toEqual(['input', '_fc', '_exit._fc']);
    expect(byId(groups, 'input').layers).toEqual(['_conv_stem']);
    expect(member(byId(groups, 'input'), '_upsample')).toEqual([0, 1, 2]);
    expect(frozen[2]!.reason).toMatch(/extra output 'exit'/);
  });

  it('expand conv, its BN, the depthwise conv, its BN and the SE gate move together', () => {
    const g = byId(groups, '_blocks.1._expand_conv');
    expect(g.width).toBe(plan[1]!.expanded);
    const b = '_blocks.1.';
    expect(keys(g)).toEqual(
      [
        '_expand_conv:out',
        '_bn0:out',
        '_swish0:out',
        '_conv:out',
        '_bn1:out',
        '_swish1:out',
        '_se_pool:out',
        '_se_reduce:in',
        '_se_expand:out',
        '_se_gate:out',
        '_se_mul:out',
        '_project_conv:in',
      ].map((k) => b + k),
    );
  });

  it('SE reduce output and SE expand input form their own group', () => {
    const g = byId(groups, '_blocks.1._se_reduce');
    expect(g.width).toBe(plan[1]!.squeezed);
    expect(keys(g)).toEqual([
      '_blocks.1._se_reduce:out',
      '_blocks.1._se_swish:out',
      '_blocks.1._se_expand:in',
    ]);
  });

  it('block 0 (no expansion): its depthwise conv and SE gate join the stem', () => {
    const g = byId(groups, '_conv_stem');
    expect(g.layers).toEqual(
      ['_conv_stem', '_bn0', '_blocks.0._conv', '_blocks.0._bn1'].concat([
        '_blocks.0._se_reduce',
        '_blocks.0._se_expand',
        '_blocks.0._project_conv',
      ]),
    );
  });

  it('residual adds join producer streams; the exit head reads block 4', () => {
    const s = byId(groups, '_blocks.2._project_conv');
    expect(s.width).toBe(plan[2]!.outChannels);
    expect(s.layers).toEqual([
      '_blocks.2._project_conv',
      '_blocks.2._bn2',
      '_blocks.3._expand_conv',
      '_blocks.3._project_conv',
      '_blocks.3._bn2',
      '_blocks.4._expand_conv',
    ]);
    const exit = byId(groups, '_blocks.4._project_conv');
    expect(exit.layers).toContain('_exit._depthwise_conv');
    expect(exit.layers).toContain('_exit._expand_conv');
  });
});
