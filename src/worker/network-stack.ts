/**
 * The network stack (undo / redo): every job that made a new current network — import, train,
 * prune, schedule, recipe run, a restore from History (an import), a network built to evaluate —
 * pushes it (capture() after the job, when the current network's version moved); undo() and
 * redo() make the previous / next one current again. Entries and their lab checkpoints live in
 * IndexedDB (persist/stack-db.ts), so the stack comes back after a reload or a worker restart
 * (load()). A network over SESSION_NETWORK_CAP_BYTES is not kept (said through `emit`), and the
 * view says so (currentKept: false — replacing it cannot be undone). The view changes after the
 * job that made a network returned (capture() runs then), so load() and capture() tell it to the
 * main thread with a 'stack' event. All work runs through one queue, in call order.
 */
import { compressionInfo, compressionOf } from '../core/compress/compression-info';
import { Network } from '../core/graph/network';
import { readLabCheckpoint, writeLabCheckpoint } from '../core/io/lab-checkpoint';
import { SESSION_NETWORK_CAP_BYTES } from '../persist/session-db';
import { stackDb, type StackDb, type StackNetwork } from '../persist/stack-db';
import type { CurrentNetwork } from './current-network';
import type { NetworkInfo } from './lab-types';
import type { WithChange } from '../protocol/network-change';
import type { LabEvent } from './session-service';
import {
  EMPTY_STACK,
  checkedState,
  moveIndex,
  pushEntry,
  viewOf,
  type StackState,
  type StackView,
} from './stack-state';

/** What undo / redo did: the stack after it and the network now current. */
export interface StackMove {
  view: StackView;
  network: NetworkInfo | null;
}

let counter = 0;
const newId = () => `net-${Date.now().toString(36)}-${++counter}`;

export class NetworkStack {
  private state: StackState = EMPTY_STACK;
  /** current.version at the last push or move (a job that changed it pushes). */
  private seenVersion = 0;
  /** current.version of the network the stack's current entry holds (-1: none kept). */
  private keptVersion = -1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly current: CurrentNetwork,
    private readonly emit: (e: LabEvent) => void,
    private readonly db: () => Promise<StackDb> = stackDb,
  ) {}

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Reads the saved stack (after the session restored the current network). */
  load(): Promise<StackView> {
    return this.enqueue(async () => {
      this.state = checkedState(await (await this.db()).loadState());
      this.seenVersion = this.current.version;
      if (this.state.index >= 0) this.keptVersion = this.current.version;
      else await this.push('Restored from the last session');
      this.emitView();
      return this.viewNow();
    });
  }

  view(): Promise<StackView> {
    return this.enqueue(() => Promise.resolve(this.viewNow()));
  }

  private viewNow(): StackView {
    const kept = this.current.network !== null && this.current.version === this.keptVersion;
    return viewOf(this.state, kept);
  }

  /** The view as it is now, told to the main thread (it changes after a job returned). */
  private emitView(): void {
    this.emit({ kind: 'stack', view: this.viewNow() });
  }

  /** Pushes the current network when it changed since the last push or move; says the view. */
  capture(label: string): Promise<void> {
    return this.enqueue(async () => {
      if (this.current.version === this.seenVersion || this.current.busy) return;
      try {
        await this.push(label);
      } finally {
        this.emitView();
      }
    }).catch((e: unknown) => this.storageError(e));
  }

  private storageError(e: unknown): void {
    const why = e instanceof Error ? e.message : String(e);
    this.emit({ kind: 'storage-error', message: `${why} (the undo stack)` });
  }

  private async push(label: string): Promise<void> {
    const net = this.current.network;
    const info = this.current.info();
    const version = this.current.version;
    if (!net || !info) return;
    const compression = this.current.compressed;
    const meta = { origin: info.origin, source: info.source };
    const extra = compression ? compressionInfo(compression) : {};
    const bytes = writeLabCheckpoint(net.graph, await net.toWeightsAsync(), { ...meta, ...extra });
    this.seenVersion = version;
    if (bytes.length > SESSION_NETWORK_CAP_BYTES) {
      const mb = (bytes.length / 1024 / 1024).toFixed(1);
      this.emit({
        kind: 'storage-error',
        message: `The network ${info.name} (${mb} MB) is too big to keep for undo.`,
      });
      return;
    }
    const id = newId();
    const entry = { id, label, name: info.name, params: info.params, savedAt: Date.now() };
    const { state, dropped } = pushEntry(this.state, entry);
    const add: StackNetwork = { id, bytes, ...meta };
    await (await this.db()).save(state, add, dropped);
    this.state = state;
    this.keptVersion = version;
  }

  /** Makes the previous network current (undo); from one not kept, the last one kept. */
  undo(): Promise<StackMove> {
    return this.move(-1);
  }

  /** Makes the next network current again (redo). */
  redo(): Promise<StackMove> {
    return this.move(1);
  }

  private move(delta: number): Promise<StackMove> {
    return this.enqueue(async () => {
      // Undo from a network the stack could not keep returns to the last one it kept.
      const back = delta < 0 && !this.viewNow().currentKept && this.state.index >= 0;
      const next = back ? this.state : moveIndex(this.state, delta);
      if (!next) throw new Error(delta < 0 ? 'Nothing to undo' : 'Nothing to redo');
      const entry = next.entries[next.index]!;
      const db = await this.db();
      const saved = await db.getNetwork(entry.id);
      if (!saved) throw new Error(`The network "${entry.label}" is missing from browser storage`);
      const ck = readLabCheckpoint(saved.bytes, entry.label);
      const compression = compressionOf(ck.info, entry.label);
      const net = Network.fromWeights(ck.graph, ck.weights);
      this.current.replace(net, saved.origin, saved.source, compression);
      this.seenVersion = this.current.version;
      this.keptVersion = this.current.version;
      this.state = next;
      await db.save(next);
      return { view: this.viewNow(), network: this.current.info() };
    });
  }
}

/**
 * The lab API's undo / redo calls; a move saves the session's network too (`persist`) and comes
 * back with its NetworkChange (`changed`, ./network-change.ts).
 */
export function stackApi(
  stack: NetworkStack,
  persist: () => Promise<void>,
  changed: (move: StackMove) => Promise<WithChange<StackMove>>,
) {
  const moved = async (move: Promise<StackMove>): Promise<WithChange<StackMove>> => {
    const r = await move;
    void persist();
    return changed(r);
  };
  return {
    /** What undo / redo would make current. */
    networkStack: (): Promise<StackView> => stack.view(),
    /** Makes the previous network of the stack current. */
    undoNetwork: (): Promise<WithChange<StackMove>> => moved(stack.undo()),
    /** Makes the next network of the stack current again. */
    redoNetwork: (): Promise<WithChange<StackMove>> => moved(stack.redo()),
  };
}

/** The stack label of a job that may have made a new current network (by its id's kind). */
export function stackLabel(jobId: string, info: NetworkInfo | null): string | null {
  const kind = jobId.split('-')[0];
  const name = info?.name ?? 'network';
  switch (kind) {
    case 'train':
      return `Trained ${name}`;
    case 'model':
      return info?.source ? `Imported ${info.source}` : `Imported ${name}`;
    case 'prune':
      return `Pruned ${name}`;
    case 'recipe':
      return `Compressed ${name} (recipe run)`;
    case 'evaluate':
      return `Built ${name} to evaluate`;
    default:
      return null;
  }
}
