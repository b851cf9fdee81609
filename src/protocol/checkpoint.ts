/**
 * Checkpoints across the thread boundary: what an import reads (its report and the network it
 * made), where it comes from, and the three exports (lab checkpoint, compressed, PyTorch job).
 */
import type { Recipe } from '../core/recipe/index';
import type { NetworkInfo } from './network';

export type CheckpointFormatName =
  'safetensors' | 'micronet-lab' | 'micronet-compressed' | 'torch-zip' | 'torch-legacy';

export interface TensorRow {
  name: string;
  shape: number[];
  dtype: string;
  /** Exact zeros among the tensor's elements. */
  zeros: number;
}

/** What an imported checkpoint holds (shown even when no architecture fits it). */
export interface CheckpointReport {
  fileName: string;
  bytes: number;
  format: CheckpointFormatName;
  tensorCount: number;
  /** Learnable elements (BN running statistics and counters excluded). */
  params: number;
  zeros: number;
  zeroShare: number;
  table: TensorRow[];
  /** Zoo architecture the tensors fit, or the lab checkpoint's graph name; null when none. */
  architecture: string | null;
  /** Why no architecture fits (null when one does). */
  unrecognized: string | null;
}

export interface ImportResult {
  report: CheckpointReport;
  /** The new current network; null when the checkpoint fits no architecture (the old one stays). */
  network: NetworkInfo | null;
}

/** What to import: a file the user chose or dropped, or a URL (the server must send CORS). */
export type ImportSource = { kind: 'file'; file: File } | { kind: 'url'; url: string };

/** A lab checkpoint of the current network, ready to save. */
export interface ExportResult {
  fileName: string;
  bytes: Uint8Array;
  network: NetworkInfo;
}

/** One file of a compressed export (see store/export-slice.ts). */
export interface CompressedExportFile {
  kind: 'compressed' | 'safetensors' | 'recipe';
  fileName: string;
  bytes: Uint8Array;
}

export interface CompressedExportResult {
  files: CompressedExportFile[];
  /** Parameter storage the score counts for the recipe, in bytes (storage bits / 8). */
  storageBytes: number;
}

/** "Export for PyTorch": the torch job folder as one .zip (worker/torch-export-service.ts). */
export interface TorchExportResult {
  fileName: string;
  bytes: Uint8Array;
  /** Paths inside the zip, e.g. "tiny-torch-job/job.json". */
  entries: string[];
  /** Where the golden images came from, e.g. "first 8 test records". */
  goldenSource: string;
  /** The recipe written to recipe.json (validated). */
  recipe: Recipe;
}
