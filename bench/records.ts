/** The first `count` records of a CIFAR-100 binary file, reading only their bytes. */
import fs from 'node:fs';
import path from 'node:path';
import { parseRecords } from '../src/core/data/cifar-records';
import type { CifarSplit } from '../src/core/data/types';
import { CIFAR_DIR } from './paths';

const RECORD_BYTES = 3074;

export function firstRecords(file: string, count: number): CifarSplit {
  const fd = fs.openSync(path.join(CIFAR_DIR, file), 'r');
  try {
    const bytes = new Uint8Array(count * RECORD_BYTES);
    const read = fs.readSync(fd, bytes, 0, bytes.length, 0);
    if (read !== bytes.length) throw new Error(`${file}: fewer than ${count} records`);
    return parseRecords(bytes, file);
  } finally {
    fs.closeSync(fd);
  }
}
