// The CLI's way of ending (run-main.ts) and of being bundled (scripts/run-bundled.mjs), through
// real child processes: a main that never settles, throws or succeeds; and a stale bundle that is
// replaced by a rename (a new file), never rewritten in place while another process may import it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RUNNER = path.join(ROOT, 'scripts', 'run-bundled.mjs');
const RUN_MAIN = path.join(ROOT, 'src', 'cli', 'run-main.ts');
const cache = path.join(ROOT, 'node_modules', '.cache');
fs.mkdirSync(cache, { recursive: true });
const dir = fs.mkdtempSync(path.join(cache, 'run-main-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes an entry (relative to the repo root) whose main is `body`. */
function entry(name: string, body: string): string {
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(
    file,
    `import { runMain } from ${JSON.stringify(RUN_MAIN)};\nrunMain(${body});\n`,
  );
  return path.relative(ROOT, file);
}

function run(rel: string) {
  const r = spawnSync(process.execPath, [RUNNER, rel], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function bundleOf(rel: string): string {
  return path.join(cache, 'micronet-lab', `${rel.replace(/[^a-zA-Z0-9]+/g, '-')}.mjs`);
}

describe('runMain', () => {
  it('a main that never settles exits 2 with an error, not 0 with nothing', () => {
    const r = run(entry('hang', '() => new Promise<void>(() => {})'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr).error).toMatch(/stopped before finishing/);
  });

  it('a thrown error exits 2 naming it; a finished main exits 0', () => {
    const bad = run(entry('bad', "async () => { throw new Error('bad value 7'); }"));
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr)).toEqual({ error: 'bad value 7' });
    const ok = run(entry('ok', 'async () => { process.stdout.write(\'{"ok":1}\\n\'); }'));
    expect(ok).toEqual({ code: 0, stdout: '{"ok":1}\n', stderr: '' });
  });
});

describe('scripts/run-bundled.mjs', () => {
  it('replaces a stale bundle by renaming a new file over it, safe for processes starting at once', async () => {
    const rel = entry('swap', 'async () => { process.stdout.write(\'{"v":1}\\n\'); }');
    expect(run(rel).code).toBe(0);
    const held = fs.openSync(bundleOf(rel), 'r'); // keeps the old file's inode from reuse
    const before = fs.fstatSync(held).ino;
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(ROOT, rel), later, later); // stale: the entry is newer
    const outs = await Promise.all(
      Array.from({ length: 4 }, () => {
        const child = spawn(process.execPath, [RUNNER, rel], { cwd: ROOT });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        return new Promise<[number | null, string]>((res) =>
          child.on('close', (code) => res([code, out])),
        );
      }),
    );
    for (const o of outs) expect(o).toEqual([0, '{"v":1}\n']);
    expect(fs.statSync(bundleOf(rel)).ino).not.toBe(before);
    fs.closeSync(held);
    expect(fs.readdirSync(path.dirname(bundleOf(rel))).filter((f) => f.includes('.tmp-'))).toEqual(
      [],
    );
  });
});
