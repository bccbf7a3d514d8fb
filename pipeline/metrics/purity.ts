/** Purity: the share of points whose cluster's majority class is their own class. Noise (-1) counts as one cluster. */
import { contingencyTable } from './contingency-table.js';

/** sum over clusters of the largest class count in the cluster, divided by n. */
export function purity(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  const t = contingencyTable(truth, pred);
  if (t.n === 0) return 1;
  const best = new Array<number>(t.colSums.length).fill(0);
  for (const [, c, v] of t.cells) if (v > best[c]) best[c] = v;
  return best.reduce((a, b) => a + b, 0) / t.n;
}
