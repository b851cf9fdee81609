/**
 * Eigenpairs of the symmetric tridiagonal Lanczos matrix T (diagonal α, off-diagonal β), in
 * float64 through ml-matrix's EigenvalueDecomposition (Householder + QL, JAMA). T is at most a
 * few hundred wide, so the dense solve costs nothing next to one Hessian-vector product.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface TridiagonalEigen {
  /** Ritz values, ascending. */
  values: number[];
  /** First component of each unit eigenvector (same order): SLQ weights are their squares. */
  first: number[];
  /** Last component of each unit eigenvector: the Ritz residual is β_m·|last|. */
  last: number[];
  /** The unit eigenvectors themselves (same order), each of length m. */
  vectors: number[][];
}

export function tridiagonalEigen(
  alphas: readonly number[],
  betas: readonly number[],
): TridiagonalEigen {
  const m = alphas.length;
  if (m === 0) throw new Error('tridiagonalEigen: empty matrix');
  if (betas.length < m - 1)
    throw new Error(
      `tridiagonalEigen: ${m} diagonal entries need ${m - 1} off-diagonal, got ${betas.length}`,
    );
  if (m === 1) return { values: [alphas[0]!], first: [1], last: [1], vectors: [[1]] };
  const t = Matrix.zeros(m, m);
  for (let i = 0; i < m; i++) {
    t.set(i, i, alphas[i]!);
    if (i + 1 < m) {
      t.set(i, i + 1, betas[i]!);
      t.set(i + 1, i, betas[i]!);
    }
  }
  const evd = new EigenvalueDecomposition(t, { assumeSymmetric: true });
  const vecs = evd.eigenvectorMatrix;
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  return {
    values: order.map(([v]) => v),
    first: order.map(([, i]) => vecs.get(0, i)),
    last: order.map(([, i]) => vecs.get(m - 1, i)),
    vectors: order.map(([, i]) => vecs.getColumn(i)),
  };
}
