/** Chromium part of the benchmark (filled in once the worker exposes a benchmark call). */
import type { BenchResults } from './report';

export async function benchBrowser(
  log: (s: string) => void,
): Promise<Pick<BenchResults, 'chromium' | 'chromiumErrors' | 'browser'>> {
  log('browser benchmark: not implemented yet');
  return { chromium: [], chromiumErrors: [], browser: null };
}
