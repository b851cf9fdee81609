/**
 * Dependency groups for structured (channel) pruning: the channel-slot classes of
 * channel-slots.ts bundled by where they live. Classes that appear in exactly the same nodes (same
 * number of times each) and share their frozen status form one group, ordered by position in the
 * group's first node — e.g. a bottleneck's inner channels (conv1 out, bn2, relu1, conv2 in), a
 * residual stream segment, an expand conv with its BN, depthwise conv and SE gate.
 *
 * Zero-padded shortcuts (PyramidNet, ResNet option A): the narrow stream's channels are joined
 * with the first channels (after `front` zeros) of the wide stream, and the padded positions of the
 * wide stream form separate groups. Every group stays prunable: pruneChannels recomputes
 * `padchannels.channels` and `front` from the kept slots, so the mapping stays valid. Only classes
 * touching the network input or an output (logits, early-exit logits), or a channel broadcast,
 * are frozen.
 */
import type { Graph } from '../../graph/ir';
import { slotLayout, type SlotLayout } from './channel-slots';

export interface GroupMember {
  node: string;
  /** 'out': the node's output channels; 'in': a conv2d/dense weight's input axis. */
  axis: 'out' | 'in';
  /**
   * Channel (feature) indices in that axis: positions[r·width + j] is the r-th occurrence of the
   * group's channel j (several only after flatten or a concat of the same tensor).
   */
  positions: number[];
}

export interface ChannelGroup {
  /** `${firstNode}` when the group is that node's whole output, else `${firstNode}[lo:hi]`. */
  id: string;
  width: number;
  members: GroupMember[];
  /** Nodes with parameters among the members (conv2d, depthwise2d, dense, batchnorm). */
  layers: string[];
  prunable: boolean;
  /** Frozen: why; prunable: what produces the channels. */
  reason: string;
}

export interface GroupAnalysis {
  layout: SlotLayout;
  groups: ChannelGroup[];
  /** Class → group index and the class's channel index within the group. */
  groupOf: Int32Array;
  localOf: Int32Array;
}

const PARAM_OPS = new Set(['conv2d', 'depthwise2d', 'dense', 'batchnorm']);

/** Per class: the nodes it appears in, each with its number of occurrences. */
function classSignatures(lay: SlotLayout): string[] {
  const parts: string[][] = Array.from({ length: lay.numClasses }, () => []);
  const last = new Int32Array(lay.numClasses).fill(-1);
  const count = new Int32Array(lay.numClasses);
  const flush = (c: number) => parts[c]!.push(`${last[c]}x${count[c]}`);
  for (let i = 0; i < lay.nodes.length; i++) {
    for (let s = lay.offset[i]!; s < lay.offset[i + 1]!; s++) {
      const c = lay.classOf[s]!;
      if (last[c] === i) count[c] = count[c]! + 1;
      else {
        if (last[c]! >= 0) flush(c);
        last[c] = i;
        count[c] = 1;
      }
    }
  }
  for (let c = 0; c < lay.numClasses; c++) flush(c);
  return parts.map((p, c) => `${p.join(',')}|${lay.frozen[c] ?? ''}`);
}

function describe(lay: SlotLayout, members: GroupMember[], frozen: string | undefined): string {
  if (frozen !== undefined) return frozen;
  const producers = members
    .filter((m) => m.axis === 'out')
    .map((m) => lay.nodes[lay.index.get(m.node)!]!)
    .filter((n) => n.spec.op === 'conv2d' || n.spec.op === 'dense')
    .map((n) => n.name);
  if (producers.length === 0) return 'zero padding only';
  if (producers.length === 1) return `produced by '${producers[0]}'`;
  return `${producers.length} producers joined by add/mul: ${producers.join(', ')}`;
}

function groupId(lay: SlotLayout, first: GroupMember, width: number, taken: Set<string>): string {
  const p = first.positions;
  const nodeWidth =
    lay.offset[lay.index.get(first.node)! + 1]! - lay.offset[lay.index.get(first.node)!]!;
  const lo = p[0]!;
  const contiguous = p.length === width && p.every((v, j) => v === lo + j);
  let id = first.node;
  if (!(contiguous && width === nodeWidth))
    id = contiguous ? `${first.node}[${lo}:${lo + width}]` : `${first.node}#${lo}`;
  for (let k = 2; taken.has(id); k++) id = `${first.node}#${lo}.${k}`;
  taken.add(id);
  return id;
}

/** Members of every group, in node order ('in' before 'out' of the same node). */
function buildMembers(lay: SlotLayout, groupOf: Int32Array, localOf: Int32Array, widths: number[]) {
  const perGroup: GroupMember[][] = widths.map(() => []);
  const occ = new Int32Array(lay.numClasses);
  const consumers = new Map<string, string[]>();
  for (const n of lay.nodes) {
    if (n.spec.op !== 'conv2d' && n.spec.op !== 'dense') continue;
    const list = consumers.get(n.inputs[0]!) ?? [];
    consumers.set(n.inputs[0]!, [...list, n.name]);
  }
  lay.nodes.forEach((node, i) => {
    const byGroup = new Map<number, GroupMember>();
    for (let s = lay.offset[i]!; s < lay.offset[i + 1]!; s++) occ[lay.classOf[s]!] = 0;
    for (let s = lay.offset[i]!; s < lay.offset[i + 1]!; s++) {
      const c = lay.classOf[s]!;
      const g = groupOf[c]!;
      let m = byGroup.get(g);
      if (!m) byGroup.set(g, (m = { node: node.name, axis: 'out', positions: [] }));
      m.positions[occ[c]! * widths[g]! + localOf[c]!] = s - lay.offset[i]!;
      occ[c]!++;
    }
    for (const [g, m] of byGroup) {
      perGroup[g]!.push(m);
      for (const consumer of consumers.get(node.name) ?? [])
        perGroup[g]!.push({ node: consumer, axis: 'in', positions: m.positions });
    }
  });
  const rank = (m: GroupMember) => 2 * lay.index.get(m.node)! + (m.axis === 'out' ? 1 : 0);
  for (const list of perGroup) list.sort((a, b) => rank(a) - rank(b));
  return perGroup;
}

/** Groups, and the class → (group, channel) maps pruneChannels needs. */
export function analyseGroups(graph: Graph): GroupAnalysis {
  const lay = slotLayout(graph);
  const sigs = classSignatures(lay);
  const bySig = new Map<string, number>();
  const groupOf = new Int32Array(lay.numClasses);
  const localOf = new Int32Array(lay.numClasses);
  const widths: number[] = [];
  const firstClass: number[] = [];
  for (let c = 0; c < lay.numClasses; c++) {
    let g = bySig.get(sigs[c]!);
    if (g === undefined) {
      bySig.set(sigs[c]!, (g = widths.length));
      widths.push(0);
      firstClass.push(c);
    }
    groupOf[c] = g;
    localOf[c] = widths[g]!++;
  }
  const members = buildMembers(lay, groupOf, localOf, widths);
  const taken = new Set<string>();
  const groups = widths.map((width, g): ChannelGroup => {
    const ms = members[g]!;
    const frozen = lay.frozen[firstClass[g]!];
    const first = ms.find((m) => m.axis === 'out')!;
    const layers = ms
      .map((m) => m.node)
      .filter((n, k, all) => all.indexOf(n) === k)
      .filter((n) => PARAM_OPS.has(lay.nodes[lay.index.get(n)!]!.spec.op));
    return {
      id: groupId(lay, first, width, taken),
      width,
      members: ms,
      layers,
      prunable: frozen === undefined,
      reason: describe(lay, ms, frozen),
    };
  });
  return { layout: lay, groups, groupOf, localOf };
}

/** The channel dependency groups of `graph` (see the file header), in order of first node. */
export function channelGroups(graph: Graph): ChannelGroup[] {
  return analyseGroups(graph).groups;
}
