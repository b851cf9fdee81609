/**
 * Which layers a K-FAC analysis covers: every conv2d / dense node on a path to the main output
 * (graph.output). Reported as skipped: depthwise2d (a per-channel layer has 1×1 "factors" per
 * channel, nothing to rotate — EigenDamage leaves it alone too), and layers that only feed extra
 * outputs (e.g. an early-exit head: the main loss gives them no gradient).
 */
import type { Graph, GraphNode } from '../../graph/ir';
import type { ShapeMap } from '../../graph/shapes';
import { layerGeometry, type LayerGeometry } from './geometry';
import { KfacError } from './kfac-error';

export interface PlannedLayer {
  name: string;
  geo: LayerGeometry;
}

export interface KfacSkipped {
  name: string;
  op: string;
  reason: string;
}

/** Names of the nodes the main output depends on (itself included). */
function ancestorsOfOutput(graph: Graph): Set<string> {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const seen = new Set<string>();
  const stack = [graph.output];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...(byName.get(name)?.inputs ?? []));
  }
  return seen;
}

function isWeighted(n: GraphNode): boolean {
  return n.spec.op === 'conv2d' || n.spec.op === 'dense' || n.spec.op === 'depthwise2d';
}

/** Planned and skipped layers; `only` restricts to those names (each must be conv2d/dense). */
export function planLayers(
  graph: Graph,
  shapes: ShapeMap,
  only?: readonly string[],
): { layers: PlannedLayer[]; skipped: KfacSkipped[] } {
  const wanted = only ? new Set(only) : null;
  for (const name of wanted ?? []) {
    const node = graph.nodes.find((n) => n.name === name);
    if (!node || (node.spec.op !== 'conv2d' && node.spec.op !== 'dense'))
      throw new KfacError(`layer '${name}' is not a conv2d/dense node of '${graph.name}'`);
  }
  const onPath = ancestorsOfOutput(graph);
  const layers: PlannedLayer[] = [];
  const skipped: KfacSkipped[] = [];
  for (const node of graph.nodes) {
    if (!isWeighted(node) || (wanted && !wanted.has(node.name))) continue;
    const op = node.spec.op;
    if (op === 'depthwise2d') {
      skipped.push({ name: node.name, op, reason: 'depthwise2d: per-channel, no Kronecker pair' });
    } else if (!onPath.has(node.name)) {
      skipped.push({ name: node.name, op, reason: `not on the path to '${graph.output}'` });
    } else {
      layers.push({ name: node.name, geo: layerGeometry(node, shapes.get(node.inputs[0]!)!) });
    }
  }
  return { layers, skipped };
}
