// Runs the real CLI (bin/micronet-lab.mjs) in a child process for the CLI tests.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';

export const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'micronet-lab.mjs');

export function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The one JSON object a command prints. */
export function json(s: string): Record<string, unknown> {
  const lines = s.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}
