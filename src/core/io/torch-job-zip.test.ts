// The lab's zip writer and the torch job as one .zip ("Export for PyTorch"): the archive reads back
// with the lab's own zip reader and with Python's zipfile (CRCs checked), names are checked, and
// the job unzipped into a folder passes `python3 -m micronet_lab_torch check .` with nothing from
// the repository on the path (the PyTorch part skips with a warning without torch).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Network } from '../graph/network';
import { buildFromZooName } from '../models/zoo';
import { buildTorchJob, randomGolden } from './torch-job';
import { PYTHON_DIR, TORCH_PYTHON } from './torch-job.test-helpers';
import { TORCH_PACKAGE_DIR, torchJobFolder, torchJobZip } from './torch-job-zip';
import { readZipDirectory, readZipEntry } from './zip-reader';
import { writeZip } from './zip-writer';

const PYTHON = TORCH_PYTHON ?? 'python3';
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-torch-zip-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function contents(zip: Uint8Array): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const [name, e] of readZipDirectory(zip)) out.set(name, await readZipEntry(zip, e));
  return out;
}

/** Python's zipfile on `file`: testzip() (every CRC) and the names, in order. */
function pythonList(file: string): string[] {
  const code = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'assert bad is None, bad',
    'print(json.dumps(z.namelist()))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code, file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

/** The package files as the browser bundles them: name → text. */
function packageFiles(): Map<string, string> {
  const dir = path.join(PYTHON_DIR, TORCH_PACKAGE_DIR);
  const names = fs.readdirSync(dir).filter((f) => /\.(py|md)$/.test(f));
  return new Map(names.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('writeZip', () => {
  it('writes STORED entries the lab reader and Python read back, CRCs checked', async () => {
    const bin = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);
    const zip = writeZip([
      { name: 'job/a.json', data: '{"x": 1}\n' },
      { name: 'job/bin/b.safetensors', data: bin },
      { name: 'job/é ü.md', data: '# héllo\n' },
      { name: 'job/empty', data: new Uint8Array(0) },
    ]);
    const dir = readZipDirectory(zip);
    expect([...dir.values()].every((e) => e.method === 0)).toBe(true);
    const c = await contents(zip);
    expect([...c.keys()]).toEqual([
      'job/a.json',
      'job/bin/b.safetensors',
      'job/é ü.md',
      'job/empty',
    ]);
    expect(text(c.get('job/a.json')!)).toBe('{"x": 1}\n');
    expect(Array.from(c.get('job/bin/b.safetensors')!)).toEqual(Array.from(bin));
    expect(text(c.get('job/é ü.md')!)).toBe('# héllo\n');
    expect(c.get('job/empty')!.length).toBe(0);
    const file = path.join(tmp(), 'a.zip');
    fs.writeFileSync(file, zip);
    expect(pythonList(file)).toEqual([...c.keys()]);
    // the same input gives the same bytes (a fixed time stamp)
    expect(writeZip([{ name: 'x', data: 'y' }])).toEqual(writeZip([{ name: 'x', data: 'y' }]));
  });

  it('refuses names that are not relative paths, and duplicates, naming them', () => {
    for (const name of ['', '/abs', 'a/../b', 'a\\b', './a', 'a//b'])
      expect(() => writeZip([{ name, data: '' }]), name).toThrow(`'${name}'`);
    expect(() =>
      writeZip([
        { name: 'a', data: '' },
        { name: 'a', data: '' },
      ]),
    ).toThrow("duplicate zip entry 'a'");
  });
});

describe('torchJobZip', () => {
  it('names the folder after the graph, file-system safe', () => {
    expect(torchJobFolder('osi-micronet')).toBe('osi-micronet-torch-job');
    expect(torchJobFolder('a b/c')).toBe('a-b-c-torch-job');
    expect(torchJobFolder('..')).toBe('network-torch-job');
  });

  it('refuses a package without __main__.py', () => {
    const graph = buildFromZooName('tiny');
    const net = Network.fromInit(graph, 1);
    const weights = net.toWeights();
    net.dispose();
    const job = buildTorchJob({
      graph,
      weights,
      recipe: {},
      golden: randomGolden(graph, 1, 0),
      info: {},
    });
    expect(() => torchJobZip(job, 'j', new Map([['ir.py', '']]))).toThrow('ir.py');
  });

  it('zips the job with the package; unzipped, it passes the PyTorch check', async () => {
    const graph = buildFromZooName('tiny');
    const net = Network.fromInit(graph, 3);
    const weights = await net.toWeightsAsync();
    net.dispose();
    const recipe = { sparsity: 0.5, weightBits: 8 };
    const job = buildTorchJob({
      graph,
      weights,
      recipe,
      golden: randomGolden(graph, 4, 0),
      info: {},
    });
    const pkg = packageFiles();
    const folder = torchJobFolder(graph.name);
    const zip = torchJobZip(job, folder, pkg);
    const c = await contents(zip.bytes);
    expect([...c.keys()]).toEqual(zip.names);
    for (const f of [
      'job.json',
      'model.safetensors',
      'recipe.json',
      'golden.safetensors',
      'README.md',
    ])
      expect(c.has(`${folder}/${f}`), f).toBe(true);
    for (const f of pkg.keys())
      expect(text(c.get(`${folder}/${TORCH_PACKAGE_DIR}/${f}`)!)).toBe(pkg.get(f));
    expect(JSON.parse(text(c.get(`${folder}/recipe.json`)!))).toEqual(recipe);
    expect(c.get(`${folder}/model.safetensors`)).toEqual(job.files.get('model.safetensors'));
    expect(text(c.get(`${folder}/README.md`)!)).toContain('The package is copied here');

    const dir = tmp();
    const file = path.join(dir, `${folder}.zip`);
    fs.writeFileSync(file, zip.bytes);
    expect(pythonList(file)).toEqual(zip.names);
    const unzip = spawnSync(PYTHON, ['-m', 'zipfile', '-e', file, dir], { encoding: 'utf8' });
    expect(unzip.status, unzip.stderr).toBe(0);
    if (!TORCH_PYTHON) return;
    const check = spawnSync(TORCH_PYTHON, ['-m', 'micronet_lab_torch', 'check', '.'], {
      cwd: path.join(dir, folder),
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: '' },
    });
    expect(check.status, check.stderr).toBe(0);
    expect((JSON.parse(check.stdout) as { ok: boolean }).ok).toBe(true);
  });
});
