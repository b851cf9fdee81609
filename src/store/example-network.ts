/**
 * The bundled example network: OSI-AI MicroNet's trained checkpoint (MIT, public/examples/), served
 * with the app so a newcomer has a real network to score before training anything.
 */

export const EXAMPLE_NETWORK_PATH = 'examples/osi-ai-micronet/trained_model.pth';
export const EXAMPLE_NETWORK_NAME = 'OSI-AI MicroNet';

/** Its absolute URL (the worker fetches it; a relative one would resolve against the worker). */
export function exampleNetworkUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}${EXAMPLE_NETWORK_PATH}`, window.location.href).href;
}
