/** Homogeneity, completeness and V-measure (beta = 1), as scikit-learn's homogeneity_completeness_v_measure. */
import { contingencyTable } from './contingency-table.js';
import { entropyOfCounts, mutualInformation } from './mutual-information.js';

/** The three entropy-based scores of a clustering against ground truth. */
export interface HomogeneityCompleteness {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

/** homogeneity = MI / H(truth) (1 if H(truth) = 0), completeness = MI / H(pred), V = harmonic mean. */
export function homogeneityCompleteness(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  beta = 1,
): HomogeneityCompleteness {
  if (truth.length === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const t = contingencyTable(truth, pred);
  const hC = entropyOfCounts(t.rowSums);
  const hK = entropyOfCounts(t.colSums);
  const mi = mutualInformation(t);
  const homogeneity = hC ? mi / hC : 1;
  const completeness = hK ? mi / hK : 1;
  const vMeasure =
    homogeneity + completeness === 0
      ? 0
      : ((1 + beta) * homogeneity * completeness) / (beta * homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}
