/**
 * The recipe run's checkpoint on disk (`compress`): one file, `<dir>/run.ckpt`, the bytes of
 * core/compress/pipeline/pipeline-state.ts, replaced atomically on every save (written to a
 * temporary file in the same folder, flushed, then renamed over the old one), so a run killed at
 * any moment leaves the previous or the new checkpoint, never a torn one.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  decodePipelineState,
  encodePipelineState,
  type PipelineCheckpoint,
  type PipelineState,
} from '../core/compress/pipeline';

export const CHECKPOINT_FILE = 'run.ckpt';

export class CheckpointDir implements PipelineCheckpoint {
  readonly file: string;

  /** `resume`: load() returns the saved state; otherwise the run starts fresh. */
  constructor(
    readonly dir: string,
    private readonly resume: boolean,
    private readonly onSave?: (s: PipelineState) => void,
  ) {
    this.file = path.join(dir, CHECKPOINT_FILE);
  }

  exists(): boolean {
    return fs.existsSync(this.file);
  }

  save(state: PipelineState): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, encodePipelineState(state));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    this.onSave?.(state);
    return Promise.resolve();
  }

  load(): Promise<PipelineState | null> {
    if (!this.resume || !this.exists()) return Promise.resolve(null);
    return Promise.resolve(
      decodePipelineState(new Uint8Array(fs.readFileSync(this.file)), this.file),
    );
  }

  /** Where the saved run stands (for messages). */
  describe(): string {
    try {
      const s = decodePipelineState(new Uint8Array(fs.readFileSync(this.file)), this.file);
      return `${s.stepsDone} prune step(s) and ${s.epochsDone} epoch(s) done`;
    } catch (e) {
      return `unreadable: ${(e as Error).message}`;
    }
  }

  /** Removes the checkpoint (and the folder when nothing else is in it). */
  remove(): void {
    fs.rmSync(this.file, { force: true });
    try {
      fs.rmdirSync(this.dir);
    } catch {
      // not empty or already gone: leave it
    }
  }
}
