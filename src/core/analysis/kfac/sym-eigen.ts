/**
 * Symmetric eigendecomposition M = Q Λ Qᵀ in float64 through ml-matrix's
 * EigenvalueDecomposition (Householder tridiagonalisation + implicit QL, JAMA/EISPACK tred2/tql2),
 * re-ordered so eigenvalues descend. The input is symmetrised ((M + Mᵀ)/2) first: float32 factor
 * sums may differ in the last bit across the diagonal.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { KfacError } from './kfac-error';

export interface SymEigen {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Row-major n×n; column j (vectors[i·n + j], i = 0…n−1) is the eigenvector of values[j]. */
  vectors: Float64Array;
}

export function symmetricEigen(m: ArrayLike<number>, n: number): SymEigen {
  if (m.length !== n * n) throw new KfacError(`eigen: expected ${n}×${n} values, got ${m.length}`);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      const v = (m[i * n + j]! + m[j * n + i]!) / 2;
      if (!Number.isFinite(v)) throw new KfacError(`eigen: entry (${i},${j}) is ${v}`);
      row[j] = v;
    }
    rows.push(row);
  }
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const lambda = evd.realEigenvalues;
  const q = evd.eigenvectorMatrix;
  const order = lambda.map((_, i) => i).sort((a, b) => lambda[b]! - lambda[a]!);
  const values = Float64Array.from(order, (i) => lambda[i]!);
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) vectors[i * n + j] = q.get(i, order[j]!);
  }
  return { values, vectors };
}
