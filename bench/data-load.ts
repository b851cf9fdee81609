/**
 * Dataset load benchmark: the full official-layout archive (cifar-100-binary.tar.gz, built once
 * from ../shared/cifar-100-binary into .bench-out/) streamed and parsed into a CifarDataset.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadCifarFromStream } from '../src/core/data/load-dataset';
import { CIFAR_DIR } from './paths';

const MEMBERS = ['train.bin', 'test.bin', 'fine_label_names.txt', 'coarse_label_names.txt'];

/** Builds .bench-out/cifar-100-binary.tar.gz (members under cifar-100-binary/) if missing. */
export function ensureArchive(outDir: string): string {
  const archive = path.join(outDir, 'cifar-100-binary.tar.gz');
  if (fs.existsSync(archive)) return archive;
  const stage = path.join(outDir, 'stage');
  const dir = path.join(stage, 'cifar-100-binary');
  fs.mkdirSync(dir, { recursive: true });
  for (const m of MEMBERS) {
    const link = path.join(dir, m);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(CIFAR_DIR, m), link);
  }
  execFileSync('tar', ['czhf', archive, '-C', stage, 'cifar-100-binary']);
  return archive;
}

export interface DataLoadResult {
  archiveBytes: number;
  seconds: number[];
  medianSeconds: number;
  train: number;
  test: number;
}

export async function benchDataLoad(outDir: string, runs = 3): Promise<DataLoadResult> {
  const archive = ensureArchive(outDir);
  const size = fs.statSync(archive).size;
  const seconds: number[] = [];
  let train = 0;
  let test = 0;
  for (let i = 0; i < runs; i++) {
    const stream = Readable.toWeb(fs.createReadStream(archive)) as ReadableStream<Uint8Array>;
    const t0 = performance.now();
    const ds = await loadCifarFromStream(stream, { totalBytes: size, fileName: archive });
    seconds.push((performance.now() - t0) / 1000);
    train = ds.train?.count ?? 0;
    test = ds.test?.count ?? 0;
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  return { archiveBytes: size, seconds, medianSeconds: sorted[runs >> 1]!, train, test };
}
