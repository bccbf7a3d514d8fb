/** Entropy of a labeling and mutual information between two, natural log, as scikit-learn's entropy and mutual_info_score. */
import type { Contingency } from './contingency-table.js';

/** Entropy (nats) of a distribution given by counts; 0 for a single class. */
export function entropyOfCounts(counts: readonly number[]): number {
  let total = 0;
  for (const c of counts) total += c;
  if (counts.length <= 1 || total === 0) return 0;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log(c / total);
  return h;
}

/** Mutual information (nats) of a contingency table. */
export function mutualInformation(t: Contingency): number {
  if (t.n === 0) return 0;
  let mi = 0;
  for (const [r, c, v] of t.cells) mi += (v / t.n) * Math.log((t.n * v) / (t.rowSums[r] * t.colSums[c]));
  return Math.max(0, mi);
}
