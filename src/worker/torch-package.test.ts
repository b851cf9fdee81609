// The Python package as the browser bundles it (import.meta.glob of raw files): every .py and the
// README of python/micronet_lab_torch, byte for byte as on disk, loaded once.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torchPackageFiles } from './torch-package';

const DIR = path.resolve(import.meta.dirname, '..', '..', 'python', 'micronet_lab_torch');

describe('torchPackageFiles', () => {
  it('holds every file of python/micronet_lab_torch, as on disk', async () => {
    const files = await torchPackageFiles();
    const onDisk = fs.readdirSync(DIR).filter((f) => /\.(py|md)$/.test(f));
    expect([...files.keys()].sort()).toEqual(onDisk.sort());
    expect(files.has('__main__.py')).toBe(true);
    for (const f of onDisk)
      expect(files.get(f), f).toBe(fs.readFileSync(path.join(DIR, f), 'utf8'));
    expect(await torchPackageFiles()).toBe(files);
  });
});
