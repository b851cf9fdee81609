/**
 * The recipe run's place in the session database (persist/session-db.ts, store `recipeRun`): the
 * request and position of the run in progress and its last pipeline checkpoint, so "Resume" —
 * by hand, or by the recovery slice after a reload or a crash — continues it
 * (core/compress/pipeline: a resumed run computes what a straight run computes). A failed write
 * never stops the run: it reaches the main thread as a 'storage-error' event.
 */
import {
  decodePipelineState,
  encodePipelineState,
  type PipelineCheckpoint,
  type PipelineState,
} from '../core/compress/pipeline/index';
import { sessionDb, type RecipeRunRecord, type SessionDb } from '../persist/session-db';
import type { LabEvent } from './session-service';
import type { RecipeRunRequest, SavedRecipeRun } from '../protocol/recipe-run';

const message = (e: unknown): string => (e instanceof Error ? e.message || e.name : String(e));

/** The record without its bytes (what the main thread sees). */
export function describeRecord(r: RecipeRunRecord): SavedRecipeRun {
  const out: SavedRecipeRun & { state?: unknown } = { ...r, hasCheckpoint: r.state !== null };
  delete out.state;
  return out;
}

export class RecipeRunStore {
  constructor(
    private readonly emit: (e: LabEvent) => void,
    private readonly db: () => Promise<SessionDb> = sessionDb,
  ) {}

  private async write(run: RecipeRunRecord | null): Promise<void> {
    try {
      await (await this.db()).saveRecipeRun(run);
    } catch (e) {
      this.emit({ kind: 'storage-error', message: message(e) });
    }
  }

  async load(): Promise<RecipeRunRecord | null> {
    return (await this.db()).loadRecipeRun();
  }

  async saved(): Promise<SavedRecipeRun | null> {
    const r = await this.load();
    return r && describeRecord(r);
  }

  /** A fresh run begins (replacing any kept one). */
  begin(request: RecipeRunRequest, model: string, steps: number): Promise<void> {
    return this.write({
      request,
      status: 'running',
      model,
      steps,
      stepsDone: 0,
      epochsDone: 0,
      elapsedSeconds: 0,
      hasCheckpoint: false,
      note: null,
      state: null,
      savedAt: Date.now(),
    });
  }

  /** Marks the kept run 'running' again (a resume) or 'stopped' with why. */
  async mark(status: RecipeRunRecord['status'], note: string | null): Promise<void> {
    const r = await this.load().catch(() => null);
    if (r) await this.write({ ...r, status, note, savedAt: Date.now() });
  }

  forget(): Promise<void> {
    return this.write(null);
  }

  /** The pipeline's checkpoint store for the kept run. */
  checkpoint(): PipelineCheckpoint {
    return {
      load: async () => {
        const r = await this.load();
        return r?.state ? decodePipelineState(r.state, 'the saved recipe run') : null;
      },
      save: async (s: PipelineState) => {
        const r = await this.load().catch(() => null);
        if (!r) return;
        await this.write({
          ...r,
          stepsDone: s.stepsDone,
          epochsDone: s.epochsDone,
          elapsedSeconds: s.elapsedSeconds,
          hasCheckpoint: true,
          state: encodePipelineState(s),
          savedAt: Date.now(),
        });
      },
    };
  }
}
