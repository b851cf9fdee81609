/** Small row-major float64 matrix helpers for layer surgery (no tensors). */

/** C = A·B with A n×k and B k×m, all row-major. */
export function matMul(a: Float64Array, b: Float64Array, n: number, k: number, m: number) {
  if (a.length !== n * k || b.length !== k * m)
    throw new Error(`matMul: ${a.length} and ${b.length} values do not fit ${n}×${k}·${k}×${m}`);
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < k; l++) {
      const v = a[i * k + l]!;
      if (v === 0) continue;
      const row = l * m;
      const out = i * m;
      for (let j = 0; j < m; j++) c[out + j] = c[out + j]! + v * b[row + j]!;
    }
  }
  return c;
}

/** Aᵀ (m×n) of A n×m. */
export function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j]!;
  return t;
}

/** The columns `cols` (in that order) of A n×m: n × cols.length. */
export function takeColumns(a: Float64Array, n: number, m: number, cols: readonly number[]) {
  const r = cols.length;
  const out = new Float64Array(n * r);
  for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) out[i * r + k] = a[i * m + cols[k]!]!;
  return out;
}

/** The n×n identity. */
export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** Fails unless q is a finite n×n matrix with qᵀ(q v) ≈ v for a fixed probe v. */
export function checkOrthogonal(q: Float64Array, n: number, what: string): void {
  if (q.length !== n * n)
    throw new Error(`${what} must be ${n}×${n} (${n * n} values), got ${q.length}`);
  if (!q.every(Number.isFinite)) throw new Error(`${what} has non-finite values`);
  const v = Float64Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3));
  const back = matMul(transpose(q, n, n), matMul(q, v, n, n, 1), n, n, 1);
  let err = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    err += (back[i]! - v[i]!) ** 2;
    norm += v[i]! ** 2;
  }
  const rel = Math.sqrt(err / norm);
  if (!(rel < 1e-5)) throw new Error(`${what} is not orthogonal (‖QᵀQv − v‖/‖v‖ = ${rel})`);
}
