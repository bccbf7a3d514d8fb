/** Adjusted Rand index, as scikit-learn's adjusted_rand_score (Hubert & Arabie 1985). */
import { contingencyTable } from './contingency-table.js';

const comb2 = (x: number): number => (x * (x - 1)) / 2;

export function adjustedRandIndex(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  const t = contingencyTable(truth, pred);
  if (t.n < 2) return 1;
  let sumCells = 0;
  for (const [, , v] of t.cells) sumCells += comb2(v);
  let sumRows = 0;
  for (const v of t.rowSums) sumRows += comb2(v);
  let sumCols = 0;
  for (const v of t.colSums) sumCols += comb2(v);
  const expected = (sumRows * sumCols) / comb2(t.n);
  const max = (sumRows + sumCols) / 2;
  // Both labelings a single cluster, or both all-singletons: scikit-learn returns 1.
  if (max === expected) return 1;
  return (sumCells - expected) / (max - expected);
}
