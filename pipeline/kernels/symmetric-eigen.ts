/** Eigenpairs of a small dense symmetric matrix (ml-matrix), largest eigenvalue first: PCA's and randomized SVD's last step. */
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';

/** Eigenvalues in descending order, and entry `i` of the eigenvector of the `c`-th largest. */
export interface SymmetricEigen {
  values: number[];
  vector(c: number, i: number): number;
}

/** Decompose the row-major `size` x `size` symmetric matrix `m`. */
export function symmetricEigenDescending(m: Float64Array, size: number): SymmetricEigen {
  const rows: number[][] = [];
  for (let i = 0; i < size; i++) rows.push(Array.from(m.subarray(i * size, (i + 1) * size)));
  const evd = new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  return { values: order.map((i) => values[i]), vector: (c, i) => vectors.get(i, order[c]) };
}
