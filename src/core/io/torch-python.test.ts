// The Python package's own tests (python/tests: op semantics, quantizers, masks, checkpoints, and
// a 2-process gloo DDP run equal to a 1-process run on 512 real CIFAR-100 images), run as part of
// the repo's test command. Skipped with a warning when no python3 has torch.
import { describe, expect, it } from 'vitest';
import { PYTHON_DIR, runPython, TORCH_PYTHON } from './torch-job.test-helpers';

describe.skipIf(!TORCH_PYTHON)('python/tests (unittest)', () => {
  it('passes', () => {
    const r = runPython(['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], PYTHON_DIR);
    expect(r.code, r.stderr.slice(-4000)).toBe(0);
    expect(r.stderr).toMatch(/\nOK\b/);
    expect(r.stderr).toMatch(/Ran (1[0-9]|[2-9][0-9]) tests/);
  });
});
