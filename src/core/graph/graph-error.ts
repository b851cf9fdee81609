/** Error raised for an invalid model graph, parameter set or serialised graph. */
export class GraphError extends Error {
  override name = 'GraphError';
}
