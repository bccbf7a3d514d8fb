/** Convert between our contiguous Float32 Matrix and the arrays of number arrays that the ml-* libraries take. */
import type { Matrix } from '../contracts.js';

/** Rows of a Matrix as float64 arrays (allocates n arrays: only for library baselines and small inputs). */
export function matrixToRows(x: Matrix): number[][] {
  const out = new Array<number[]>(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols));
  return out;
}

/** Pack rows (all of length cols) into a Matrix. */
export function rowsToMatrix(rows: ArrayLike<ArrayLike<number>>, cols: number): Matrix {
  const n = rows.length;
  const data = new Float32Array(n * cols);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (r.length < cols) throw new Error(`row ${i} has ${r.length} values, expected ${cols}`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = r[j];
  }
  return { rows: n, cols, data };
}
