/**
 * Named ScoreTable option sets for the counting conventions of the oracle
 * (shared/oracles/micronet-counting.json):
 * - official: counting.py with the official notebook's choices — BN folded as a bias (affine
 *   where it cannot fold), activations counted, residual adds at the output width (the
 *   oracle's PyramidNet `B_full_inference` and OSI `a_official_dense_32bit`);
 * - wrnStyle: convs, pools, adds and FC only — no BN, no activations (PyramidNet `A_wrn_style`,
 *   the convention under which WRN-28-10 gives the 36.5M / 10.49B baseline);
 * - osiReadme: OSI's README table — no BN, activations counted, residual adds at the expanded
 *   width, upsample left out (`a0_readme_convention`).
 */
import type { ScoreTableOptions } from './score-table';

export const COUNTING_CONVENTIONS = {
  official: {},
  wrnStyle: { batchNorm: 'ignore', countActivations: false },
  osiReadme: { batchNorm: 'ignore', residualAddChannels: 'branch-max' },
} as const satisfies Record<string, ScoreTableOptions>;
