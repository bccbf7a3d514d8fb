/**
 * The two-sided 95% quantile of Student's t (t such that P(|T| <= t) = 0.95), for the scaling-law exponent's CI.
 * A table, not @stdlib/stats-base-dists-t-quantile (227 lockfile packages for this one call): df 1..30 exactly,
 * then 40, 60, 120 and infinity, linear in 1/df between rows. Measured against the exact quantile for every integer
 * df up to 100,000: exact to 5 decimals for df <= 30 and off by at most 0.00006 above. Our df (scales - 2) is an integer;
 * a fractional df below 30 would be rough (1.3 off at df 1.25).
 */

/** [df, t] rows, df ascending; values from the exact quantile, 5 decimals. */
const rows: readonly (readonly [number, number])[] = [
  [1, 12.7062],
  [2, 4.30265],
  [3, 3.18245],
  [4, 2.77645],
  [5, 2.57058],
  [6, 2.44691],
  [7, 2.36462],
  [8, 2.306],
  [9, 2.26216],
  [10, 2.22814],
  [11, 2.20099],
  [12, 2.17881],
  [13, 2.16037],
  [14, 2.14479],
  [15, 2.13145],
  [16, 2.11991],
  [17, 2.10982],
  [18, 2.10092],
  [19, 2.09302],
  [20, 2.08596],
  [21, 2.07961],
  [22, 2.07387],
  [23, 2.06866],
  [24, 2.0639],
  [25, 2.05954],
  [26, 2.05553],
  [27, 2.05183],
  [28, 2.04841],
  [29, 2.04523],
  [30, 2.04227],
  [40, 2.02108],
  [60, 2.0003],
  [120, 1.97993],
  [Infinity, 1.95996],
];

/** t(0.975, df) for df >= 1 (any real df; Infinity gives the normal 1.95996). */
export function tQuantile95(df: number): number {
  if (!(df >= 1)) throw new RangeError(`tQuantile95: df must be >= 1, got ${df}`);
  const hi = rows.findIndex(([d]) => d >= df);
  if (rows[hi][0] === df) return rows[hi][1];
  const [d0, t0] = rows[hi - 1];
  const [d1, t1] = rows[hi];
  const w = (1 / d0 - 1 / df) / (1 / d0 - 1 / d1); // 1/Infinity is 0
  return t0 + w * (t1 - t0);
}
