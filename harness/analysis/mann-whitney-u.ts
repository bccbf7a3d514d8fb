/**
 * Two-sided Mann-Whitney U test, as asv uses it to decide whether two benchmark samples differ.
 *
 * Written here because no npm package fits: @stdlib/stats has no Mann-Whitney test (only Wilcoxon signed-rank,
 * which is for paired samples), and the small `mann-whitney-utest` packages give U and a critical-value lookup,
 * not a p-value. Exact p-values (the permutation distribution of U, counted by the classic recurrence) are used when
 * there are no ties and n1 + n2 <= 50; otherwise the normal approximation with tie and continuity corrections.
 * The normal tail comes from simple-statistics' errorFunction (its table-based normal CDF stops at z = 3.09, right
 * where p = 0.002 lies).
 */
import { errorFunction } from 'simple-statistics';

/** The test's outcome. */
export interface MannWhitneyResult {
  /** U of the first sample: pairs (a, b) with a > b, ties counted 1/2. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
}

/** Number of orderings of n1 + n2 items giving each U = 0..n1*n2 (exact null distribution, counts). */
function uCounts(n1: number, n2: number): Float64Array {
  // f[i][j][u]: computed by rolling over i with arrays indexed by j and u.
  const maxU = n1 * n2;
  let prev: Float64Array[] = Array.from({ length: n2 + 1 }, () => new Float64Array(maxU + 1));
  for (let j = 0; j <= n2; j++) prev[j][0] = 1; // i = 0: U is 0
  for (let i = 1; i <= n1; i++) {
    const cur: Float64Array[] = Array.from({ length: n2 + 1 }, () => new Float64Array(maxU + 1));
    cur[0][0] = 1; // j = 0: U is 0
    for (let j = 1; j <= n2; j++) {
      // The largest item is from sample 1 (adds j to U) or from sample 2.
      for (let u = 0; u <= i * j; u++) cur[j][u] = (u >= j ? prev[j][u - j] : 0) + cur[j - 1][u];
    }
    prev = cur;
  }
  return prev[n2];
}

/** Smallest two-sided p-value the exact test can give for these sample sizes: 2 / C(n1+n2, n1). */
export function minimumPValue(n1: number, n2: number): number {
  let c = 1;
  for (let k = 1; k <= Math.min(n1, n2); k++) c = (c * (n1 + n2 - Math.min(n1, n2) + k)) / k;
  return Math.min(1, 2 / c);
}

/** Two-sided Mann-Whitney U test of samples a and b. Throws on an empty sample. */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length,
    n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('mannWhitneyU: both samples need at least one value');
  let u = 0;
  let ties = false;
  for (const x of a)
    for (const y of b) {
      if (x > y) u += 1;
      else if (x === y) {
        u += 0.5;
        ties = true;
      }
    }
  if (!ties && n1 + n2 <= 50) {
    const counts = uCounts(n1, n2);
    let total = 0,
      le = 0,
      ge = 0;
    for (let k = 0; k < counts.length; k++) {
      total += counts[k];
      if (k <= u) le += counts[k];
      if (k >= u) ge += counts[k];
    }
    return { u, p: Math.min(1, (2 * Math.min(le, ge)) / total), method: 'exact' };
  }
  // Normal approximation with tie correction on the variance.
  const all = [...a.map((v) => ({ v })), ...b.map((v) => ({ v }))].sort((x, y) => x.v - y.v);
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal' };
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 1 - errorFunction(Math.max(0, z) / Math.SQRT2)), method: 'normal' };
}
