// The lab's qualifying network (issue 12): recipes/osi-qat-mixed-a9-t0875.mnlc, checked as a user
// checks it — `eval` on all 10,000 CIFAR-100 test images with the early exit (threshold and blend
// stored in the file) and `score` at the exit rate the file records. It must stay at ≥ 8,000
// correct and below the 2019 winner's 0.0044; a change to evaluation, the compressed format or
// the counting that moves either number fails here.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_DIR } from '../test-paths';
import { cli, json } from './cli-runner.test-helpers';

const MNLC = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  'recipes',
  'osi-qat-mixed-a9-t0875.mnlc',
);

describe('the qualifying checkpoint in recipes/', () => {
  it('evaluates to ≥ 80.00 % with early exit on all 10,000 test images and scores < 0.0044', () => {
    const e = cli('eval', '--model', MNLC, '--data', path.join(CIFAR_DIR, 'test.bin'));
    expect(e.code, e.stderr).toBe(0);
    const ev = json(e.stdout);
    expect(ev).toMatchObject({ n: 10_000, compressed: true, exitThreshold: 0.875, exitBlend: 0.3 });
    expect(Math.round((ev.top1EarlyExit as number) * 10_000)).toBe(8002);
    expect(ev.exitRate).toBeCloseTo(0.2641, 4);
    const s = json(cli('score', '--model', MNLC).stdout);
    expect(s.exitRate).toBeCloseTo(0.2641, 4);
    expect(s.score as number).toBeLessThan(0.0044);
    expect(s.score as number).toBeCloseTo(0.0043868, 7);
  }, 300_000); // a minute here for 10,000 images; room for a loaded CI machine
});
