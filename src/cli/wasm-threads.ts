/**
 * Multi-threaded SIMD wasm in Node (issue 13, item 3): tfjs-backend-wasm 4.22 turns its threaded
 * build off under Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false when `IS_NODE`, tfjs issue 3830)
 * because of three things its browser-minded start-up does, each mended here for the length of
 * the backend's initialisation only:
 *
 * 1. The pthread worker script is handed to Emscripten as a Blob URL (locateFile → `blob:…`),
 *    which Node's worker_threads cannot start. `URL.createObjectURL` gets that script written to a
 *    file in a temporary folder instead (`Blob` records the text it was made from).
 * 2. The main script each pthread imports is posted to the workers as a Blob (the factory's
 *    source, which names its bundler's module variables), and the worker script reads it with
 *    importScripts (in Node: `fs.readFileSync`). The worker's "load" message is pointed at
 *    tfjs's own Emscripten output for that build (`wasm-out/…-threaded-simd.js`, self-contained).
 * 3. The C++ side sizes the XNNPACK pool at min(requested, ⌊emscripten_num_logical_cores / 2⌋),
 *    which Node answers with `os.cpus().length` (1 thread on a 2-core machine). `os.cpus` reports
 *    twice the requested thread count while the module starts.
 *
 * The 8 pthread workers Emscripten pre-creates load their scripts before the module resolves,
 * so the temporary folder is removed as soon as the backend is up. The workers stay ref'd: the
 * command line ends its process itself once a command has settled (run-main.ts). (They were
 * unref'd until session 9: under load a command then sometimes ended early, its event loop
 * drained while it still waited — with exit 0 and nothing printed.) Browsers need none of this
 * (cross-origin isolation is enough, docs/PERFORMANCE.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The most threads tfjs's pool takes (its backend.cc pre-creates 8 workers). */
export const MAX_WASM_THREADS = 8;

const WORKER_SCRIPT_MARK = 'WasmBackendModuleThreadedSimd(Module)';

/** tfjs's Emscripten output of the threaded SIMD build: what each pthread imports. */
function pthreadMainScript(): string {
  const req = createRequire(import.meta.url);
  const pkg = req.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  const file = path.join(path.dirname(pkg), 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  if (!fs.existsSync(file)) throw new Error(`wasm threads: ${file} is missing`);
  return file;
}

/** The worker script's last line: point the "load" message at the main script's file. */
function loadPatch(mainScript: string): string {
  return (
    `\n;(function(){var o=onmessage;onmessage=function(e){` +
    `if(e.data&&e.data.cmd==='load'&&typeof e.data.urlOrBlob!=='string')` +
    `e.data.urlOrBlob=${JSON.stringify(mainScript)};return o(e)};self.onmessage=onmessage})();\n`
  );
}

/** The three shims of the header; the returned function takes them all back. */
function installShims(threads: number, dir: string): () => void {
  const NativeBlob = globalThis.Blob;
  const nativeCreate = URL.createObjectURL.bind(URL);
  const nativeCpus = os.cpus;
  const texts = new WeakMap<Blob, string>();
  const mainScript = pthreadMainScript();
  class RecordingBlob extends NativeBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === 'string')) texts.set(this, (parts as string[]).join(''));
    }
  }
  globalThis.Blob = RecordingBlob;
  URL.createObjectURL = (obj: Blob | MediaSource): string => {
    const text = obj instanceof NativeBlob ? texts.get(obj) : undefined;
    if (text === undefined || !text.includes(WORKER_SCRIPT_MARK)) return nativeCreate(obj);
    const file = path.join(dir, 'worker.js');
    fs.writeFileSync(file, text + loadPatch(mainScript));
    return file;
  };
  const cpus = nativeCpus();
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]!);
  return () => {
    globalThis.Blob = NativeBlob;
    URL.createObjectURL = nativeCreate;
    os.cpus = nativeCpus;
  };
}

/**
 * Starts tfjs's wasm backend with `threads` XNNPACK threads (1: the single-threaded SIMD build,
 * as before). Call instead of `tf.setBackend('wasm')`, after setWasmPaths. Returns the thread
 * count the backend reports; throws naming `--threads 1` when the threaded build fails.
 */
export async function startWasm(threads: number): Promise<number> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  if (threads === 1) return (await tf.setBackend('wasm')) ? getThreadsCount() : 0;
  setThreadsCount(threads);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micronet-lab-wasm-'));
  const restore = installShims(threads, dir);
  try {
    if (!(await tf.setBackend('wasm'))) {
      throw new Error(`the threaded wasm build did not start (${threads} threads)`);
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`${why}; run with --threads 1 for the single-threaded build`);
  } finally {
    restore();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return getThreadsCount();
}
