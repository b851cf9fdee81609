/**
 * Channel growth — the grow-back ("annealing") step of the seed's pruning schedule, for channel
 * groups: `count` new channels join a group, each a copy of the group's last channel. Producers'
 * output slices (conv / depthwise / dense weights, biases, BN parameters) are copied with 1 %
 * uniform multiplicative noise on the weights, so the copies can part ways in fine-tuning;
 * consumers' input slices of the new channels start at 1 % of the copied values, so growing
 * leaves the network's function (almost) unchanged.
 */
import type { Graph, TensorData, Weights } from '../../graph/ir';
import { nodeParams } from '../../graph/params';
import type { Rng } from '../../util/rng';
import { analyseGroups, rebuildWithPositions, type PrunedNetwork } from '../structure';

const NOISE = 0.01;

/** Node → gathered positions and, per position, whether it is a new copy. */
interface Growth {
  pos: Map<string, number[]>;
  isNew: Map<string, boolean[]>;
}

function plan(graph: Graph, grow: Readonly<Record<string, number>>): Growth {
  const a = analyseGroups(graph);
  const index = new Map(a.groups.map((g, i) => [g.id, i]));
  const extra = new Int32Array(a.groups.length);
  for (const [id, k] of Object.entries(grow)) {
    const g = index.get(id);
    if (g === undefined) throw new Error(`growChannels: no channel group '${id}'`);
    if (!Number.isInteger(k) || k < 0)
      throw new Error(`growChannels: count for '${id}' must be an integer ≥ 0, got ${k}`);
    if (k > 0 && !a.groups[g]!.prunable)
      throw new Error(`growChannels: group '${id}' is frozen (${a.groups[g]!.reason})`);
    extra[g] = k;
  }
  const lay = a.layout;
  const out: Growth = { pos: new Map(), isNew: new Map() };
  lay.nodes.forEach((n, i) => {
    const pos: number[] = [];
    const fresh: boolean[] = [];
    for (let s = lay.offset[i]!; s < lay.offset[i + 1]!; s++) {
      const local = s - lay.offset[i]!;
      pos.push(local);
      fresh.push(false);
      const c = lay.classOf[s]!;
      const g = a.groupOf[c]!;
      if (extra[g]! > 0 && a.localOf[c] === a.groups[g]!.width - 1) {
        for (let j = 0; j < extra[g]!; j++) {
          pos.push(local);
          fresh.push(true);
        }
      }
    }
    out.pos.set(n.name, pos);
    out.isNew.set(n.name, fresh);
  });
  return out;
}

/** Multiplies entries of `t` whose index along `axis` is flagged by `f(u)`, u ~ U(−1, 1). */
function perturb(
  t: TensorData,
  axis: number,
  flags: boolean[],
  f: (u: number) => number,
  rng: Rng,
) {
  if (!flags.some(Boolean)) return;
  const n = t.shape[axis]!;
  const inner = t.shape.slice(axis + 1).reduce((x, y) => x * y, 1);
  for (let i = 0; i < t.data.length; i++) {
    const k = Math.floor(i / inner) % n;
    if (flags[k]) t.data[i] = t.data[i]! * f(2 * rng() - 1);
  }
}

/** Adds `grow[groupId]` copies of each named group's last channel (ids from channelGroups). */
export function growChannels(
  graph: Graph,
  weights: Weights,
  grow: Readonly<Record<string, number>>,
  rng: Rng,
): PrunedNetwork {
  const g = plan(graph, grow);
  const r = rebuildWithPositions(graph, weights, g.pos);
  const copied = new Set<string>();
  for (const n of r.graph.nodes) {
    const own = g.isNew.get(n.name)!;
    const input = n.inputs.length > 0 ? g.isNew.get(n.inputs[0]!)! : own;
    for (const p of nodeParams(n)) {
      if (p.kind !== 'weight' || n.spec.op === 'batchnorm') continue;
      const t = r.weights.get(p.name)!;
      const fresh: TensorData = copied.has(p.name) ? t : { shape: t.shape, data: t.data.slice() };
      copied.add(p.name);
      r.weights.set(p.name, fresh);
      const outAxis = n.spec.op === 'dense' ? 1 : n.spec.op === 'depthwise2d' ? 2 : 3;
      perturb(fresh, outAxis, own, (u) => 1 + NOISE * u, rng);
      if (n.spec.op === 'conv2d') perturb(fresh, 2, input, (u) => NOISE * u, rng);
      if (n.spec.op === 'dense') perturb(fresh, 0, input, (u) => NOISE * u, rng);
    }
  }
  return r;
}
