/**
 * The worker's API object (exposed with Comlink by lab.worker.ts). It adapts core calls to plain
 * DTOs: long jobs take a job id chosen by the main thread (for cancel / pause / resume) and a
 * Comlink.proxy progress callback; big arrays go back with Comlink.transfer. The trainer and the
 * model service share one current network (trained, imported or built for an evaluation); every
 * call that may change it returns its result with one NetworkChange (./network-change.ts), so the
 * main thread never asks again. The Score, Pruning, "Run recipe", undo-stack and bench / debug
 * methods come from ./score-api.ts, ./prune-api.ts, ./recipe-run-api.ts, ./network-stack.ts and
 * ./debug-api.ts.
 */
import * as Comlink from 'comlink';
import { pruneSchedule } from '../core/compress/prune/index';
import type { Recipe } from '../core/recipe/index';
import { AnalysisService, spectraBuffers } from './analysis-service';
import { deviceWasLost, initBackend, onDeviceLost } from './backend-init';
import { CurrentNetwork } from './current-network';
import { DataService } from './data-service';
import { throwIfDebugAborted } from './debug-abort';
import { debugApi } from './debug-api';
import { LAB_DEBUG } from '../protocol/lab-debug';
import { ExportService } from './export-service';
import { JobRegistry, throttle, type WorkerJob } from './job-registry';
import type {
  AnalyseOptions,
  AnalysisResult,
  BackendInfo,
  BackendPreference,
  CacheInfo,
  CompressedExportResult,
  EvalConfig,
  EvalResult,
  ExportResult,
  ImportResult,
  ImportSource,
  JobProgress,
  LoadResult,
  MetricPoint,
  ModelInfo,
  TorchExportResult,
  TrainConfig,
  TrainSummary,
} from './lab-types';
import { ModelService } from './model-service';
import { changeBuffers, readNetworkChange, withChange } from './network-change';
import type { NetworkChange, WithChange } from '../protocol/network-change';
import { NetworkStack, stackApi, stackLabel } from './network-stack';
import { pruneApi } from './prune-api';
import { PruneService } from './prune-service';
import { recipeRunApi } from './recipe-run-api';
import { RecipeRunService } from './recipe-run-service';
import { RecipeRunStore } from './recipe-run-store';
import { scoreApi } from './score-api';
import { ScoreService } from './score-service';
import { sensitivityCore } from './sensitivity-core';
import { SensitivityService } from './sensitivity-service';
import { SessionService, type LabEvent, type SessionRestore } from './session-service';
import { TorchExportService } from './torch-export-service';
import { torchPackageFiles } from './torch-package';
import { TrainService } from './train-service';

type OnProgress = (p: JobProgress) => void;

const PROGRESS_MS = 100;

function withTransfer(result: LoadResult): LoadResult {
  return result.samples ? Comlink.transfer(result, [result.samples.rgba.buffer]) : result;
}

export function createLabApi() {
  const jobs = new JobRegistry();
  const data = new DataService();
  let backendReady: Promise<BackendInfo> | null = null;
  const ensureBackend = (): Promise<BackendInfo> => {
    backendReady ??= initBackend('auto');
    return backendReady;
  };
  const current = new CurrentNetwork();
  let sink: ((e: LabEvent) => void) | null = null;
  const emit = (e: LabEvent) => void Promise.resolve(sink?.(e)).catch(() => undefined);
  const session = new SessionService(current, emit, deviceWasLost);
  const stack = new NetworkStack(current, emit);
  onDeviceLost((message) => emit({ kind: 'device-lost', message }));
  const trainer = new TrainService(ensureBackend, current, session);
  const models = new ModelService(ensureBackend, current);
  const scores = new ScoreService(ensureBackend, current);
  const analysis = new AnalysisService(ensureBackend, current);
  const exporter = new ExportService(ensureBackend, current);
  const torchExporter = new TorchExportService(ensureBackend, current, torchPackageFiles);
  const pruner = new PruneService(ensureBackend, current, analysis, pruneSchedule);
  const sensitivity = new SensitivityService(ensureBackend, current, sensitivityCore);
  const recipeRuns = new RecipeRunService(ensureBackend, current, new RecipeRunStore(emit), {
    persistNetwork: () => session.persistNetwork(),
    deviceLost: deviceWasLost,
  });

  /** What the main thread shows about the current network, read once (./network-change.ts). */
  const change = () => readNetworkChange({ current, scores, analysis, pruner });
  /** `r` with the NetworkChange of the call that made it (buffers transferred, `extra` too). */
  const changed = async <T extends object>(r: T, extra?: ArrayBuffer[]): Promise<WithChange<T>> =>
    withChange(r, await change(), extra);
  /** Training changed the network's weights: what was derived from them goes. */
  const forgetDerived = () => {
    scores.invalidate(current.network);
    analysis.invalidate(current.network);
    pruner.invalidate(current.network);
    sensitivity.invalidate(current.network);
  };

  /** Runs a job with throttled progress; the last progress value is always delivered. */
  const runJob = async <T, P extends JobProgress = JobProgress>(
    id: string,
    onProgress: (p: P) => void,
    fn: (signal: AbortSignal, report: (p: P) => void, job: WorkerJob) => Promise<T>,
  ): Promise<T> => {
    const t = throttle(onProgress, PROGRESS_MS);
    try {
      throwIfDebugAborted();
      return await jobs.run(id, (job) => fn(job.controller.signal, t.push, job));
    } finally {
      t.flush();
      void session.persistNetwork(); // a job that changed the network: keep it for a reload
      const label = stackLabel(id, current.info());
      if (label !== null) void stack.capture(label); // …and for undo
    }
  };

  return {
    /** Selects the tfjs backend once (`auto`: webgpu → webgl → wasm → cpu). */
    init(pref: BackendPreference): Promise<BackendInfo> {
      backendReady ??= initBackend(pref);
      return backendReady;
    },
    /**
     * Bench, debug and test hooks (./debug-api.ts): only in builds with LAB_DEBUG (dev server,
     * tests, `VITE_LAB_DEBUG=1 vite build`); the type keeps them, window.__lab is the only caller.
     */
    ...(LAB_DEBUG ? debugApi(ensureBackend, current) : ({} as ReturnType<typeof debugApi>)),
    cancel(id: string): boolean {
      return jobs.cancel(id);
    },

    /** Heartbeat: answers at once unless a long synchronous step blocks the worker. */
    ping(): number {
      return Date.now();
    },
    /** The main thread's listener for events outside jobs (device loss, checkpoints, storage). */
    watch(onEvent: (e: LabEvent) => void): void {
      sink = onEvent;
    },
    /** Makes the session's saved network current and describes the saved training run. */
    async restoreSession(): Promise<WithChange<SessionRestore>> {
      await ensureBackend();
      const restored = await session.restore();
      await stack.load().catch(() => undefined); // a broken stack database leaves undo empty
      return changed(restored);
    },
    /** The network stack: networkStack, undoNetwork, redoNetwork (kept for a reload too). */
    ...stackApi(
      stack,
      () => session.persistNetwork(),
      (move) => changed(move),
    ),
    async loadFiles(id: string, files: File[], onProgress: OnProgress): Promise<LoadResult> {
      return withTransfer(await runJob(id, onProgress, (s, r) => data.loadFiles(files, s, r)));
    },
    async download(id: string, url: string, onProgress: OnProgress): Promise<LoadResult> {
      return withTransfer(await runJob(id, onProgress, (s, r) => data.download(url, s, r)));
    },
    async restoreCache(id: string, onProgress: OnProgress): Promise<LoadResult | null> {
      const r = await runJob(id, onProgress, (s, rep) => data.restore(s, rep));
      return r && withTransfer(r);
    },
    cacheInfo(): Promise<CacheInfo> {
      return data.cacheInfo();
    },
    clearCache(): Promise<CacheInfo> {
      return data.clearCache();
    },

    listModels(): ModelInfo[] {
      return trainer.listModels();
    },
    train(
      id: string,
      config: TrainConfig,
      onMetrics: (points: MetricPoint[]) => void,
      onProgress: OnProgress,
    ): Promise<WithChange<TrainSummary>> {
      return runJob(id, onProgress, (_signal, report, job) =>
        trainer.train(config, data.current, { job, report, onMetrics }),
      )
        .finally(forgetDerived)
        .then((r) => changed(r));
    },
    /** Continues the training run a crash or a reload interrupted, from its last checkpoint. */
    resumeRun(
      id: string,
      onMetrics: (points: MetricPoint[]) => void,
      onProgress: OnProgress,
    ): Promise<WithChange<TrainSummary>> {
      return runJob(id, onProgress, (_signal, report, job) =>
        trainer.resume(data.current, { job, report, onMetrics }),
      )
        .finally(forgetDerived)
        .then((r) => changed(r));
    },
    /** Marks the interrupted run as not resumed (it will not come back on a reload). */
    abandonRun(note: string): Promise<void> {
      return session.abandonRun(note);
    },
    pauseTraining(id: string): boolean {
      return jobs.setPaused(id, true);
    },
    resumeTraining(id: string): boolean {
      return jobs.setPaused(id, false);
    },
    /** Evaluates the current network; when there is none yet, builds `model` (untrained). */
    /** Evaluates (and may build) the network; its change carries the measured exit rate. */
    evaluate(
      id: string,
      config: EvalConfig,
      model: string,
      onProgress: OnProgress,
    ): Promise<WithChange<EvalResult>> {
      return runJob(id, onProgress, async (signal, report) => {
        const r = await trainer.evaluate(model, config, data.current, { signal, report });
        // A slice says nothing certain about the exit rate of the whole test set.
        if (config.limit == null) scores.noteExitRate(current.network, r.earlyExit?.exitRate);
        return { ...r, networkKey: (await scores.networkKey()) ?? '' };
      }).then((r) => changed(r));
    },

    /** The current network as a NetworkChange (after a debug hook replaced it, or a failed job). */
    async networkChange(): Promise<NetworkChange> {
      const c = await change();
      return Comlink.transfer(c, changeBuffers(c));
    },
    /** The current network's content key (ScoreInputs.networkKey), or null without one. */
    networkKey(): Promise<string | null> {
      return scores.networkKey();
    },
    /** Reads a checkpoint (file or CORS URL); on success its network becomes the current one. */
    importCheckpoint(
      id: string,
      source: ImportSource,
      onProgress: OnProgress,
    ): Promise<WithChange<ImportResult>> {
      return runJob(id, onProgress, (signal, report) =>
        models.importCheckpoint(source, signal, report),
      ).then((r) => changed(r));
    },
    /** The current network as a lab checkpoint; the bytes are transferred, not copied. */
    async exportCheckpoint(): Promise<ExportResult> {
      const r = await models.exportCheckpoint();
      return Comlink.transfer(r, [r.bytes.buffer]);
    },

    /** The current network compressed with `recipe`: three files (bytes transferred). */
    async exportCompressed(
      id: string,
      recipe: Recipe,
      onProgress: OnProgress,
    ): Promise<CompressedExportResult> {
      const r = await runJob(id, onProgress, (signal, report) =>
        exporter.exportCompressed(recipe, data.current, { signal, report }),
      );
      return Comlink.transfer(
        r,
        r.files.map((f) => f.bytes.buffer as ArrayBuffer),
      );
    },

    /** "Export for PyTorch": the current network + `recipe` as a torch job .zip (transferred). */
    async exportTorchJob(
      id: string,
      recipe: Recipe,
      onProgress: OnProgress,
    ): Promise<TorchExportResult> {
      const r = await runJob(id, onProgress, (signal, report) =>
        torchExporter.exportTorchJob(recipe, data.current, { signal, report }),
      );
      return Comlink.transfer(r, [r.bytes.buffer as ArrayBuffer]);
    },

    /** The Score panel: scoreInputs, measureRecipe, measureSensitivity, planRecipe. */
    ...scoreApi(scores, sensitivity, runJob, () => data.current),

    /** K-FAC spectra per layer and the Hessian spectrum of the current network (Spectra panel). */
    async analyse(
      id: string,
      options: AnalyseOptions,
      onProgress: OnProgress,
    ): Promise<AnalysisResult> {
      const r = await runJob(id, onProgress, (signal, report) =>
        analysis.analyse(options, data.current, { signal, report }),
      );
      return Comlink.transfer(r, spectraBuffers(r));
    },
    /** The Pruning panel: planPrune, prune, runPruneSchedule, savedPruneSchedule, discardPruneSchedule. */
    ...pruneApi(pruner, runJob, changed, {
      current,
      networkKey: () => scores.networkKey(),
      dataset: () => data.current,
    }),
    /** "Run recipe": runRecipe, resumeRecipeRun, savedRecipeRun, discardRecipeRun. */
    ...recipeRunApi(recipeRuns, runJob, () => data.current, changed),
  };
}

export type LabApi = ReturnType<typeof createLabApi>;
