// Runs a TypeScript entry (the CLI, the benchmarks) in plain Node with the same module
// resolution as the browser build. Why: tfjs-core's Node entry (CommonJS) leaves out the gradient
// registrations and its ES-module files use directory imports Node cannot load, so the entry is
// bundled with esbuild (ES-module fields first) into node_modules/.cache and imported from there.
// The bundle is rebuilt only when the entry or a file under src/, bench/ or scripts/ is newer.
// Several processes may start at once (parallel CLI tests, two jobs): each builds in memory and
// renames its own temporary file over the bundle, so no process ever imports a half-written (or
// truncated, empty) bundle — which would run nothing and exit 0 without a word.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** Bundles `entry` (relative to the repo root) if stale; returns the bundle's path. */
export async function bundle(entry) {
  const name = entry.replace(/[^a-zA-Z0-9]+/g, '-');
  const outfile = path.join(root, 'node_modules', '.cache', 'micronet-lab', `${name}.mjs`);
  const sources = Math.max(
    ...['src', 'bench', 'scripts'].map((d) => newestMtime(path.join(root, d))),
    fs.statSync(path.join(root, entry)).mtimeMs, // an entry outside those folders (e2e fixtures)
  );
  if (!fs.existsSync(outfile) || fs.statSync(outfile).mtimeMs < sources) {
    const result = await build({
      entryPoints: [path.join(root, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      mainFields: ['module', 'main'],
      // Tools with their own loaders stay external (Node loads them as usual).
      external: ['@playwright/test', 'playwright-core', 'vite', 'esbuild'],
      // Node built-ins stay external; CommonJS dependencies inside the bundle need `require`.
      banner: {
        js: [
          "import { createRequire as __cr } from 'node:module';",
          "import { fileURLToPath as __fu } from 'node:url';",
          'const require = __cr(import.meta.url);',
          'const __filename = __fu(import.meta.url);',
          "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
        ].join(' '),
      },
      define: { 'import.meta.env': '{}' },
      logLevel: 'error',
      write: false,
    });
    const code = result.outputFiles.find((f) => f.path === outfile)?.contents;
    if (!code) throw new Error(`esbuild produced no ${outfile} for ${entry}`);
    const tmp = `${outfile}.tmp-${process.pid}`;
    fs.mkdirSync(path.dirname(outfile), { recursive: true });
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, outfile);
  }
  return outfile;
}

export async function runBundled(entry) {
  const file = await bundle(entry);
  await import(pathToFileURL(file).href);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [entry, ...rest] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: node scripts/run-bundled.mjs <entry.ts> [args…]\n');
    process.exit(2);
  }
  process.argv = [process.argv[0], entry, ...rest];
  await runBundled(entry);
}
