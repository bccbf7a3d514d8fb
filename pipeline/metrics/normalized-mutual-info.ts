/** Normalised mutual information with arithmetic-mean normalisation, as scikit-learn's normalized_mutual_info_score. */
import { contingencyTable } from './contingency-table.js';
import { entropyOfCounts, mutualInformation } from './mutual-information.js';

/** NMI = MI / ((H(truth) + H(pred)) / 2); 1 when both labelings are a single cluster, 0 when MI is 0 otherwise. */
export function normalizedMutualInfo(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  const t = contingencyTable(truth, pred);
  if (t.rowSums.length === t.colSums.length && t.rowSums.length <= 1) return 1;
  const mi = mutualInformation(t);
  if (mi === 0) return 0;
  const norm = (entropyOfCounts(t.rowSums) + entropyOfCounts(t.colSums)) / 2;
  return mi / Math.max(norm, Number.EPSILON);
}
