/**
 * The worker's one current network: whatever was last trained, imported or built for an
 * evaluation. Training, Evaluate and Export all use it; replacing it disposes the old one, and
 * a failed import never touches it. A job that runs the network holds it, so nothing disposes it
 * under that job's feet.
 */
import type { Network } from '../core/graph/network.ts';
import type { NetworkInfo, NetworkOrigin } from './lab-types.ts';

export class CurrentNetwork {
  private net: Network | null = null;
  private origin: NetworkOrigin = 'initialised';
  private source: string | null = null;
  private holder: string | null = null;

  get network(): Network | null {
    return this.net;
  }

  /**
   * Marks the network as in use by `what` (e.g. "training") until the returned release runs;
   * replace() refuses meanwhile.
   */
  hold(what: string): () => void {
    this.checkFree();
    this.holder = what;
    return () => {
      if (this.holder === what) this.holder = null;
    };
  }

  private checkFree(): void {
    if (this.holder !== null)
      throw new Error(`the current network is busy (${this.holder}); wait for it or cancel it`);
  }

  /** Disposes the previous network and makes `net` the current one (throws while held). */
  replace(net: Network, origin: NetworkOrigin, source: string | null = null): Network {
    if (this.holder !== null) net.dispose();
    this.checkFree();
    if (this.net !== net) this.net?.dispose();
    this.net = net;
    this.origin = origin;
    this.source = source;
    return net;
  }

  /** Records that the current network has been trained (in place). */
  markTrained(): void {
    if (this.net) this.origin = 'trained';
  }

  get isTrained(): boolean {
    return this.net !== null && this.origin !== 'initialised';
  }

  info(): NetworkInfo | null {
    const net = this.net;
    if (!net) return null;
    return {
      name: net.graph.name,
      origin: this.origin,
      source: this.source,
      params: net.paramCount(),
      extraOutputs: Object.keys(net.graph.extraOutputs ?? {}),
    };
  }
}
