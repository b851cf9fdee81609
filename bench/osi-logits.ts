/**
 * Fidelity of the OSI-AI MicroNet port per backend (issue 3, req. 3): the main and early-exit
 * logits of CIFAR-100 test records 0…63 (one batch of 64, as the oracle computed them) against
 * PyTorch's golden logits (../shared/oracles/osi-ai-micronet/golden/logits_{main,exit}_first64.f32,
 * float32 LE [64, 100]). Node cpu / wasm call src/worker/logits-probe.ts directly; Chromium's lab
 * worker runs the same probe through `window.__lab.logitsOfCheckpoint` on wasm and on webgpu
 * (SwiftShader here: about 1 image/s, so 64 images take a minute or two).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogitsProbeRequest, LogitsProbeResult } from '../src/worker/logits-probe';
import { logitsOfCheckpoint } from '../src/worker/logits-probe';
import { APP_URL, type BrowserApp } from './browser-app';
import { serveBenchFiles } from './browser-osi';
import { startNodeBackend } from './node-throughput';
import { OSI_PTH } from './osi-eval';
import { CIFAR_DIR, SHARED_DIR } from './paths';

const N = 64;
const RECORD_BYTES = 3074;
const GOLDEN_DIR = path.join(SHARED_DIR, 'oracles', 'osi-ai-micronet', 'golden');

export interface OsiLogitsRow {
  where: string;
  backend: string;
  /** WebGPU adapter as the worker reports it (Chromium webgpu only). */
  adapter?: string;
  n: number;
  /** max |logit − PyTorch| over n × 100 main logits. */
  maxAbsErrMain: number;
  maxAbsErrExit: number;
  /** Records whose main-logit argmax equals PyTorch's. */
  sameTop1: number;
  seconds: number;
}

export interface OsiLogitsResult {
  date: string;
  loadAverage: number;
  rows: OsiLogitsRow[];
  errors: string[];
}

function readF32(file: string): Float32Array {
  const b = fs.readFileSync(path.join(GOLDEN_DIR, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`logits length ${a.length}, golden ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function argmaxRows(x: ArrayLike<number>, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r * cols < x.length; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (x[r * cols + c]! > x[r * cols + best]!) best = c;
    out.push(best);
  }
  return out;
}

/** Compares probe logits (main and `exit`) with the golden files. */
function compare(
  where: string,
  r: Pick<LogitsProbeResult, 'backend' | 'n' | 'seconds'> & {
    main: ArrayLike<number>;
    exit: ArrayLike<number>;
  },
): OsiLogitsRow {
  const goldMain = readF32('logits_main_first64.f32');
  const ours = argmaxRows(r.main, 100);
  const gold = argmaxRows(goldMain, 100);
  return {
    where,
    backend: r.backend,
    n: r.n,
    maxAbsErrMain: maxAbsDiff(r.main, goldMain),
    maxAbsErrExit: maxAbsDiff(r.exit, readF32('logits_exit_first64.f32')),
    sameTop1: ours.filter((c, i) => c === gold[i]).length,
    seconds: r.seconds,
  };
}

function firstRecords(): Uint8Array {
  const fd = fs.openSync(path.join(CIFAR_DIR, 'test.bin'), 'r');
  const bytes = new Uint8Array(N * RECORD_BYTES);
  fs.readSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
  return bytes;
}

const errorLine = (e: unknown): string =>
  e instanceof Error ? e.message.split('\n')[0]! : String(e);

export async function benchOsiLogitsNode(
  log: (s: string) => void,
  into: OsiLogitsResult,
): Promise<void> {
  const req: LogitsProbeRequest = {
    checkpoint: new Uint8Array(fs.readFileSync(OSI_PTH)),
    checkpointName: 'trained_model.pth',
    testData: firstRecords(),
    limit: N,
    batchSize: N,
  };
  for (const backend of ['wasm', 'cpu'] as const) {
    log(`node ${backend}: OSI logits of records 0…${N - 1}…`);
    try {
      await startNodeBackend(backend);
      const r = await logitsOfCheckpoint(req);
      const row = compare('Node', { ...r, exit: r.extra.exit ?? [] });
      log(
        `  max abs error main ${row.maxAbsErrMain.toExponential(2)}, exit ${row.maxAbsErrExit.toExponential(2)}`,
      );
      into.rows.push(row);
    } catch (e) {
      into.errors.push(`Node ${backend}: ${errorLine(e)}`);
    }
  }
}

type Hook = {
  logitsOfCheckpoint: (r: LogitsProbeRequest) => Promise<LogitsProbeResult>;
  debugInfo: () => Promise<{ adapter: { vendor: string; architecture: string } | null }>;
};

export async function benchOsiLogitsBrowser(
  app: BrowserApp,
  log: (s: string) => void,
  into: OsiLogitsResult,
): Promise<void> {
  const files = {
    '/bench-files/trained_model.pth': OSI_PTH,
    '/bench-files/test.bin': path.join(CIFAR_DIR, 'test.bin'),
  };
  for (const backend of ['wasm', 'webgpu'] as const) {
    log(`chromium ${backend}: OSI logits of records 0…${N - 1}…`);
    const page = await app.open(backend, 'logitsOfCheckpoint');
    await serveBenchFiles(page, files);
    try {
      const arg = { base: APP_URL, n: N, recordBytes: RECORD_BYTES };
      // Fetched in the page (the worker gets copies); numbers come back as plain arrays.
      const r = await page.evaluate(async ({ base, n, recordBytes }) => {
        const lab = (window as unknown as { __lab: Hook }).__lab;
        const get = async (p: string) =>
          new Uint8Array(await (await fetch(base + p)).arrayBuffer());
        const [checkpoint, all] = await Promise.all([
          get('/bench-files/trained_model.pth'),
          get('/bench-files/test.bin'),
        ]);
        const testData = all.slice(0, n * recordBytes);
        const req = {
          checkpoint,
          checkpointName: 'trained_model.pth',
          testData,
          limit: n,
          batchSize: n,
        };
        const out = await lab.logitsOfCheckpoint(req);
        const info = out.backend === 'webgpu' ? await lab.debugInfo() : { adapter: null };
        return {
          backend: out.backend,
          n: out.n,
          seconds: out.seconds,
          main: Array.from(out.main),
          exit: Array.from(out.extra.exit ?? []),
          adapter: info.adapter
            ? `${info.adapter.vendor} ${info.adapter.architecture}`.trim()
            : undefined,
        };
      }, arg);
      const row = {
        ...compare('Chromium worker', r),
        ...(r.adapter ? { adapter: r.adapter } : {}),
      };
      log(
        `  ${r.backend}: max abs error main ${row.maxAbsErrMain.toExponential(2)}, exit ${row.maxAbsErrExit.toExponential(2)}, ${r.seconds.toFixed(0)} s`,
      );
      into.rows.push(row);
    } catch (e) {
      log(`  failed: ${errorLine(e)}`);
      into.errors.push(`Chromium ${backend}: ${errorLine(e)}`);
    } finally {
      await page.close();
    }
  }
}

export function newOsiLogitsResult(): OsiLogitsResult {
  return {
    date: new Date().toISOString().slice(0, 10),
    loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
    rows: [],
    errors: [],
  };
}
