/**
 * The worker's one current network: whatever was last trained, imported or built for an
 * evaluation. Training, Evaluate and Export all use it; replacing it disposes the old one, and
 * a failed import never touches it. A job that runs the network holds it, so nothing disposes it
 * under that job's feet.
 */
import type { Compression } from '../core/compress/compression-info';
import type { Network } from '../core/graph/network';
import type { EvaluableNetwork } from '../core/train/evaluate-network';
import { activationHook, hookedRunner } from '../core/compress/quant/quantized-model';
import type { NetworkInfo, NetworkOrigin } from './lab-types';

export class CurrentNetwork {
  private net: Network | null = null;
  private origin: NetworkOrigin = 'initialised';
  private source: string | null = null;
  private holder: string | null = null;
  private compression: Compression | null = null;
  private changes = 0;

  get network(): Network | null {
    return this.net;
  }

  /** Grows on every replace() and markTrained() (the session saves a network that changed). */
  get version(): number {
    return this.changes;
  }

  /** True while a job holds the network. */
  get busy(): boolean {
    return this.holder !== null;
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
  replace(
    net: Network,
    origin: NetworkOrigin,
    source: string | null = null,
    compression: Compression | null = null,
  ): Network {
    if (this.holder !== null) net.dispose();
    this.checkFree();
    if (this.net !== net) this.net?.dispose();
    this.net = net;
    this.origin = origin;
    this.source = source;
    this.compression = compression;
    this.changes++;
    return net;
  }

  /** The recipe and activation quantizers of a network read from a compressed checkpoint. */
  get compressed(): Compression | null {
    return this.compression;
  }

  /**
   * What evaluation runs: the network itself, or — for a compressed checkpoint — the network
   * with its stored activation quantizers on the layer inputs (exactly the exported model).
   */
  evaluable(): EvaluableNetwork | null {
    const net = this.net;
    const c = this.compression;
    if (!net || !c || Object.keys(c.activationQuant).length === 0) return net;
    return hookedRunner(net, activationHook(c.activationQuant), 'a compressed checkpoint');
  }

  /** Records that the current network has been trained (in place): it is no longer compressed. */
  markTrained(): void {
    if (!this.net) return;
    this.origin = 'trained';
    this.changes++;
    this.compression = null;
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
      ...(this.compression ? { compressedRecipe: this.compression.recipe } : {}),
    };
  }
}

export type { Compression };
