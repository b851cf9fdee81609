/** Node file access for the CLI: datasets from a directory or file, checkpoints from a file. */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadCifarFromFiles, type DroppedFile } from '../core/data/load-dataset';
import type { CifarDataset, CifarSplit } from '../core/data/types';
import { sliceSplit } from '../core/data/cifar-records';
import { UsageError } from './args';

const DATA_MEMBERS = ['train.bin', 'test.bin', 'fine_label_names.txt', 'coarse_label_names.txt'];

function dropped(file: string): DroppedFile {
  const stream = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
  return { name: path.basename(file), stream, size: fs.statSync(file).size };
}

/** The files to load for `--data`: a .bin/.tar/.tar.gz file, or a folder holding the .bin files. */
export function dataFiles(p: string): string[] {
  if (!fs.existsSync(p)) throw new UsageError(`--data: no such file or directory: ${p}`);
  if (!fs.statSync(p).isDirectory()) return [p];
  const dirs = [p, path.join(p, 'cifar-100-binary')];
  for (const dir of dirs) {
    const found = DATA_MEMBERS.map((m) => path.join(dir, m)).filter((f) => fs.existsSync(f));
    if (found.some((f) => f.endsWith('.bin'))) return found;
  }
  throw new UsageError(`--data: ${p} holds no train.bin or test.bin`);
}

export async function loadDataset(p: string): Promise<CifarDataset> {
  return loadCifarFromFiles(dataFiles(p).map(dropped));
}

/** The split a command works on: `prefer` when present, else the other one. */
export function pickSplit(ds: CifarDataset, prefer: 'train' | 'test'): CifarSplit {
  const split = ds[prefer] ?? ds[prefer === 'train' ? 'test' : 'train'];
  if (!split) throw new UsageError('the data holds no records');
  return split;
}

/** The first `limit` records (all when undefined); a limit past the end is an error. */
export function limitSplit(split: CifarSplit, limit: number | undefined): CifarSplit {
  if (limit === undefined || limit === split.count) return split;
  if (limit > split.count) {
    throw new UsageError(`--limit ${limit} exceeds the ${split.count} records in the data`);
  }
  return sliceSplit(split, 0, limit);
}

export function readBytes(file: string, flag: string): Uint8Array {
  if (!fs.existsSync(file)) throw new UsageError(`${flag}: no such file: ${file}`);
  return new Uint8Array(fs.readFileSync(file));
}
