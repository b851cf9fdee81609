/**
 * Structural validation of the model IR (see ir.ts): header fields, unique node names,
 * topological order (every input names an earlier node), known ops with well-typed fields,
 * input arity, exactly one `input` node, existing output / extra outputs.
 * Shape checks (channel counts agree along edges) live in shapes.ts (`inferShapes`), which
 * validates first: shapes.ts imports this file, never the other way round.
 */
import type { Graph, GraphNode, OpName } from './ir';
import { GraphError } from './graph-error';

type FieldKind =
  | 'posInt'
  | 'nonNegInt'
  | 'bool'
  | 'padding'
  | 'unit'
  | 'posNumber'
  | 'nonNegNumber'
  | 'number'
  | 'fn';

/** Required (and optional, suffix `?`) fields of every op's spec. */
const OP_FIELDS: Record<OpName, Record<string, FieldKind>> = {
  input: { height: 'posInt', width: 'posInt', channels: 'posInt' },
  conv2d: {
    inChannels: 'posInt',
    outChannels: 'posInt',
    kernel: 'posInt',
    stride: 'posInt',
    padding: 'padding',
    bias: 'bool',
  },
  depthwise2d: {
    channels: 'posInt',
    kernel: 'posInt',
    stride: 'posInt',
    padding: 'padding',
    bias: 'bool',
  },
  dense: { inFeatures: 'posInt', outFeatures: 'posInt', bias: 'bool' },
  // eps 0: a batch norm in affine form (graph/affine-batchnorm.ts)
  batchnorm: { channels: 'posInt', eps: 'nonNegNumber', momentum: 'unit' },
  activation: { fn: 'fn' },
  add: {},
  mul: {},
  avgpool: { size: 'posInt', stride: 'posInt', ceil: 'bool' },
  globalavgpool: { keepDims: 'bool' },
  padchannels: { channels: 'posInt', 'front?': 'nonNegInt' },
  shakedrop: { p: 'unit' },
  scale: { factor: 'number' },
  flatten: {},
  upsample: { height: 'posInt', width: 'posInt' },
  concat: {},
};

/** [min, max] number of inputs per op. */
const OP_ARITY: Partial<Record<OpName, [number, number]>> = {
  input: [0, 0],
  add: [2, 2],
  mul: [2, 2],
  concat: [2, Number.POSITIVE_INFINITY],
};

export const OP_NAMES = Object.keys(OP_FIELDS) as OpName[];
const ACTIVATIONS = ['relu', 'relu6', 'sigmoid', 'swish', 'hswish'];

export function isOpName(op: unknown): op is OpName {
  return typeof op === 'string' && Object.hasOwn(OP_FIELDS, op);
}

export function opArity(op: OpName): [number, number] {
  return OP_ARITY[op] ?? [1, 1];
}

function fieldOk(kind: FieldKind, v: unknown): boolean {
  switch (kind) {
    case 'posInt':
      return Number.isInteger(v) && (v as number) > 0;
    case 'nonNegInt':
      return Number.isInteger(v) && (v as number) >= 0;
    case 'bool':
      return typeof v === 'boolean';
    case 'unit':
      return typeof v === 'number' && v >= 0 && v <= 1;
    case 'posNumber':
      return typeof v === 'number' && Number.isFinite(v) && v > 0;
    case 'nonNegNumber':
      return typeof v === 'number' && Number.isFinite(v) && v >= 0;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'fn':
      return typeof v === 'string' && ACTIVATIONS.includes(v);
    case 'padding':
      return (
        v === 'same' ||
        v === 'valid' ||
        (Array.isArray(v) && v.length === 4 && v.every((p) => Number.isInteger(p) && p >= 0))
      );
  }
}

function validateSpec(node: GraphNode, where: string): void {
  const spec = node.spec as unknown;
  if (typeof spec !== 'object' || spec === null)
    throw new GraphError(`${where}: spec must be an object`);
  const op = (spec as { op?: unknown }).op;
  if (!isOpName(op)) {
    throw new GraphError(
      `${where}: unknown op ${JSON.stringify(op)} (known: ${OP_NAMES.join(', ')})`,
    );
  }
  const fields = OP_FIELDS[op];
  const rec = spec as Record<string, unknown>;
  for (const [key, kind] of Object.entries(fields)) {
    const optional = key.endsWith('?');
    const name = optional ? key.slice(0, -1) : key;
    const v = rec[name];
    if (optional && v === undefined) continue;
    if (!fieldOk(kind, v)) {
      throw new GraphError(
        `${where} (${op}): field '${name}' must be ${kind}, got ${JSON.stringify(v)}`,
      );
    }
  }
  const allowed = new Set(['op', ...Object.keys(fields).map((k) => k.replace('?', ''))]);
  for (const key of Object.keys(rec)) {
    if (!allowed.has(key)) throw new GraphError(`${where} (${op}): unknown field '${key}'`);
  }
}

function validateNode(node: GraphNode, i: number, seen: Set<string>): void {
  const where = `node #${i}`;
  if (typeof node !== 'object' || node === null) throw new GraphError(`${where}: not an object`);
  if (typeof node.name !== 'string' || node.name === '') {
    throw new GraphError(
      `${where}: name must be a non-empty string, got ${JSON.stringify(node.name)}`,
    );
  }
  const at = `node '${node.name}'`;
  if (seen.has(node.name)) throw new GraphError(`duplicate node name '${node.name}' (${where})`);
  validateSpec(node, at);
  if (!Array.isArray(node.inputs) || !node.inputs.every((s) => typeof s === 'string')) {
    throw new GraphError(`${at}: inputs must be an array of node names`);
  }
  for (const input of node.inputs) {
    if (!seen.has(input)) {
      throw new GraphError(`${at}: missing input '${input}' (no earlier node has that name)`);
    }
  }
  const [lo, hi] = opArity(node.spec.op);
  if (node.inputs.length < lo || node.inputs.length > hi) {
    throw new GraphError(
      `${at} (${node.spec.op}): expects ${lo === hi ? lo : `${lo}+`} input(s), got ${node.inputs.length}`,
    );
  }
}

/** Throws GraphError naming the first problem; returns the graph typed when valid. */
export function validateGraph(g: unknown): Graph {
  if (typeof g !== 'object' || g === null) throw new GraphError('graph must be an object');
  const graph = g as Graph;
  if (graph.format !== 'micronet-lab-graph') {
    throw new GraphError(
      `graph.format must be 'micronet-lab-graph', got ${JSON.stringify(graph.format)}`,
    );
  }
  if (graph.version !== 1)
    throw new GraphError(`unsupported graph.version ${JSON.stringify(graph.version)}`);
  if (typeof graph.name !== 'string') throw new GraphError('graph.name must be a string');
  if (!Number.isInteger(graph.numClasses) || graph.numClasses <= 0) {
    throw new GraphError(
      `graph.numClasses must be a positive integer, got ${JSON.stringify(graph.numClasses)}`,
    );
  }
  if (!Array.isArray(graph.nodes) || graph.nodes.length === 0)
    throw new GraphError('graph.nodes must be non-empty');
  const seen = new Set<string>();
  graph.nodes.forEach((node, i) => {
    validateNode(node, i, seen);
    seen.add(node.name);
  });
  const inputs = graph.nodes.filter((n) => n.spec.op === 'input');
  if (inputs.length !== 1)
    throw new GraphError(`graph needs exactly one 'input' node, found ${inputs.length}`);
  if (!seen.has(graph.output)) throw new GraphError(`graph.output '${graph.output}' is not a node`);
  for (const [key, name] of Object.entries(graph.extraOutputs ?? {})) {
    if (!seen.has(name))
      throw new GraphError(`graph.extraOutputs.${key} = '${name}' is not a node`);
  }
  return graph;
}

const validated = new WeakSet<Graph>();

/** validateGraph once per graph object (graphs are treated as immutable once built). */
export function ensureValid(graph: Graph): Graph {
  if (!validated.has(graph)) {
    validateGraph(graph);
    validated.add(graph);
  }
  return graph;
}
