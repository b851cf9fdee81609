/**
 * Graph (de)serialisation: plain JSON of the IR. Parsing validates structure (unknown op,
 * missing input, duplicate name, bad fields → GraphError naming the node) and shapes.
 */
import type { Graph } from './ir';
import { GraphError } from './graph-error';
import { inferShapes } from './shapes';
import { validateGraph } from './validate';

/** JSON text of a valid graph (throws GraphError when invalid). */
export function graphToJSON(graph: Graph, space?: number): string {
  inferShapes(graph);
  return JSON.stringify(graph, null, space);
}

/** Graph from JSON text (or an already-parsed value); the result shares nothing with the input. */
export function graphFromJSON(json: string | unknown): Graph {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new GraphError(`graph JSON is invalid: ${(e as Error).message}`);
    }
  } else {
    value = JSON.parse(JSON.stringify(json)) as unknown;
  }
  const graph = validateGraph(value);
  inferShapes(graph);
  return graph;
}
