/**
 * The worker's side of the session (../persist/session-db.ts): keeps the current network in the
 * session database after a job changed it, restores it in a new worker (after a crash or a
 * reload), and keeps the training run's checkpoints (./train-checkpoints.ts): at every epoch end
 * the network, the metrics so far and the SGD momentum, written in one transaction. Storage
 * failures never stop a job: they reach the main thread as 'storage-error' events. All writes go
 * through one queue, in order.
 */
import { Network } from '../core/graph/network';
import { readLabCheckpoint, writeLabCheckpoint } from '../core/io/lab-checkpoint';
import { compressionInfo, compressionOf } from '../core/compress/compression-info';
import {
  SESSION_NETWORK_CAP_BYTES,
  sessionDb,
  type SavedNetwork,
  type SessionDb,
  type TrainingRecord,
} from '../persist/session-db';
import type { CurrentNetwork } from './current-network';
import type { StackView } from './stack-state';
import type {
  MetricPoint,
  NetworkInfo,
  NetworkOrigin,
  TrainConfig,
  TrainSummary,
} from './lab-types';
import {
  momentumOf,
  type ResumePoint,
  type RunState,
  type TrainCheckpoints,
} from './train-checkpoints';

/** What the worker tells the main thread outside any job (lab-api `watch`). */
export type LabEvent =
  | { kind: 'device-lost'; message: string }
  | { kind: 'storage-error'; message: string }
  /** The undo stack's view after it loaded or kept a new network (./network-stack.ts). */
  | { kind: 'stack'; view: StackView }
  | { kind: 'checkpoint'; epochsCompleted: number; epochs: number; saved: boolean };

/** The saved training run as the main thread shows it (no tensors). */
export interface SavedRun {
  config: TrainConfig;
  status: 'running' | 'finished';
  /** For a running run: the epoch it resumes after (0: it starts again). */
  epochsCompleted: number;
  metrics: MetricPoint[];
  summary: TrainSummary | null;
  endNote: string | null;
}

export interface SessionRestore {
  /** The network restored as the current one (null: none saved). */
  network: NetworkInfo | null;
  run: SavedRun | null;
  /** Why the saved network could not be restored; null when it was (or none was saved). */
  problem: string | null;
}

const message = (e: unknown): string => (e instanceof Error ? e.message || e.name : String(e));

function megabytes(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Epochs a running record can resume after: its network must be that epoch's checkpoint. */
function resumableEpochs(t: TrainingRecord, n: SavedNetwork | null): number {
  return t.epochsCompleted > 0 && n?.trainingEpoch === t.epochsCompleted ? t.epochsCompleted : 0;
}

export class SessionService implements TrainCheckpoints {
  /** current.version last saved (0: nothing yet — never overwrite the session with nothing). */
  private savedVersion = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly current: CurrentNetwork,
    private readonly emit: (e: LabEvent) => void,
    /** True once the GPU device is lost: a run that failed for it stays resumable. */
    private readonly deviceLost: () => boolean = () => false,
    private readonly db: () => Promise<SessionDb> = sessionDb,
  ) {}

  /** Runs `task` after every earlier one; never rejects (failures become events). */
  private enqueue(what: string, task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task).catch((e: unknown) => {
      this.emit({ kind: 'storage-error', message: `${message(e)} (${what})` });
    });
    this.queue = next;
    return next;
  }

  /** The network as a session record; null (and a warning) when it is over the size cap. */
  private async serialize(
    net: Network,
    origin: NetworkOrigin,
    source: string | null,
    trainingEpoch: number | null,
  ): Promise<SavedNetwork | null> {
    const compression = this.current.compressed; // a compressed checkpoint's quantizers
    const info = { origin, source, ...(compression ? compressionInfo(compression) : {}) };
    const bytes = writeLabCheckpoint(net.graph, await net.toWeightsAsync(), info);
    if (bytes.length > SESSION_NETWORK_CAP_BYTES) {
      this.emit({
        kind: 'storage-error',
        message:
          `The network ${net.graph.name} (${megabytes(bytes.length)}) is over the ` +
          `${megabytes(SESSION_NETWORK_CAP_BYTES)} session limit: a reload or a worker restart ` +
          'will not bring it back.',
      });
      return null;
    }
    const name = net.graph.name;
    return { bytes, name, origin, source, trainingEpoch, savedAt: Date.now() };
  }

  /** Saves the current network when it changed since the last save and no job holds it. */
  persistNetwork(): Promise<void> {
    return this.enqueue('the current network', async () => {
      const version = this.current.version;
      const net = this.current.network;
      const info = this.current.info();
      if (version === this.savedVersion || this.current.busy || !net || !info) return;
      const saved = await this.serialize(net, info.origin, info.source, null);
      if (this.current.version !== version) return; // changed meanwhile: saved at the next job end
      await (await this.db()).saveNetwork(saved, `the network ${info.name}`);
      this.savedVersion = version;
    });
  }

  private record(s: RunState, status: TrainingRecord['status']): TrainingRecord {
    return {
      config: s.config,
      status,
      epochsCompleted: s.epochsCompleted,
      metrics: [...s.metrics],
      momentum: null,
      summary: null,
      endNote: null,
      savedAt: Date.now(),
    };
  }

  started(s: RunState): Promise<void> {
    return this.enqueue('the new training run', async () => {
      const net = await this.serialize(s.net, 'initialised', null, 0);
      await (await this.db()).saveTraining(this.record(s, 'running'), net);
    });
  }

  epochEnd(s: RunState): Promise<void> {
    const { epochsCompleted } = s;
    const epochs = s.config.epochs;
    const record = this.record(s, 'running');
    return this.enqueue(`the epoch ${epochsCompleted} checkpoint`, async () => {
      let saved = false;
      try {
        const net = await this.serialize(s.net, 'trained', null, epochsCompleted);
        record.momentum = await momentumOf(s.optimizer, s.net.trainableNames());
        await (await this.db()).saveTraining(record, net);
        saved = net !== null;
      } finally {
        this.emit({ kind: 'checkpoint', epochsCompleted, epochs, saved });
      }
    });
  }

  finished(s: RunState, summary: TrainSummary | null, note: string | null): Promise<void> {
    if (this.deviceLost()) return Promise.resolve(); // a new worker resumes the run
    const record = { ...this.record(s, 'finished'), summary, endNote: note };
    const version = this.current.version;
    const origin = this.current.info()?.origin ?? 'trained';
    const isCurrent = s.net === this.current.network;
    return this.enqueue('the finished training run', async () => {
      // The run's network became current; a failed run's did not: the current one is saved again.
      const net = isCurrent ? await this.serialize(s.net, origin, null, null) : undefined;
      await (await this.db()).saveTraining(record, net);
      this.savedVersion = isCurrent ? version : -1;
    });
  }

  async resumePoint(): Promise<ResumePoint | null> {
    const { training: t, network: n } = await (await this.db()).load();
    if (t?.status !== 'running') return null;
    const epochsCompleted = resumableEpochs(t, n);
    if (epochsCompleted === 0 || !n) {
      return {
        config: t.config,
        epochsCompleted: 0,
        metrics: [],
        checkpoint: null,
        momentum: null,
      };
    }
    try {
      const checkpoint = readLabCheckpoint(n.bytes, `the epoch ${epochsCompleted} checkpoint`);
      const { metrics, momentum } = t;
      return { config: t.config, epochsCompleted, metrics, checkpoint, momentum };
    } catch {
      // Unreadable (restore() said so): the run starts again from its seeded initialisation.
      return {
        config: t.config,
        epochsCompleted: 0,
        metrics: [],
        checkpoint: null,
        momentum: null,
      };
    }
  }

  /** Marks a running record finished (the main thread chose not to resume it). */
  abandonRun(note: string): Promise<void> {
    return this.enqueue('the interrupted training run', async () => {
      const db = await this.db();
      const t = await db.loadTraining();
      if (t?.status !== 'running') return;
      await db.saveTraining({ ...t, status: 'finished', endNote: note, savedAt: Date.now() });
    });
  }

  /** Loads the saved network as the current one and describes the saved run. */
  async restore(): Promise<SessionRestore> {
    const { network: n, training: t } = await (await this.db()).load();
    let problem: string | null = null;
    if (n) {
      try {
        const ck = readLabCheckpoint(n.bytes, `the saved network ${n.name}`);
        const compression = compressionOf(ck.info, `the saved network ${n.name}`);
        const net = Network.fromWeights(ck.graph, ck.weights);
        this.current.replace(net, n.origin, n.source, compression);
        this.savedVersion = this.current.version;
      } catch (e) {
        problem = `The saved network could not be restored: ${message(e)}`;
      }
    }
    const network = problem === null && n ? this.current.info() : null;
    // An unreadable checkpoint cannot be resumed from: resumePoint() starts the run again.
    return { network, run: t ? savedRun(t, problem === null ? n : null) : null, problem };
  }
}

function savedRun(t: TrainingRecord, n: SavedNetwork | null): SavedRun {
  const running = t.status === 'running';
  const epochsCompleted = running ? resumableEpochs(t, n) : t.epochsCompleted;
  return {
    config: t.config,
    status: t.status,
    epochsCompleted,
    metrics: running && epochsCompleted === 0 ? [] : t.metrics,
    summary: t.summary,
    endNote: t.endNote,
  };
}
