/**
 * Is the difference between two repeat samples real? Three tests, chosen by how many repeats each side has, and
 * each row says which one decided it:
 *  - mann-whitney: asv's two-sided Mann-Whitney U test (p < alpha), used only when the sample sizes let the test
 *    reach alpha at all (at alpha 0.002 that is 7 v 7: the smallest exact p is 2/252 = 0.0079 at 5 v 5 and
 *    2/924 = 0.0022 at 6 v 6).
 *  - bootstrap-ratio: with 5 or more repeats a side but too few for the U test, a seeded percentile-bootstrap
 *    (1 - alpha) confidence interval of median(NEW) / median(BASE); significant only when the whole interval lies
 *    beyond the noise floor (ratio outside 1 ± noise). At 5 v 5 that interval excludes 1 only when the two samples do
 *    not overlap, which for identical distributions happens with probability 2/252; demanding that it also clear the
 *    noise floor is what keeps a shared machine from raising false alarms, and CPU time (not wall time) keeps a real
 *    2x change far outside it.
 *  - interval-overlap: fewer repeats (or BASE values of zero, which have no ratio): the [min, max] intervals,
 *    widened to median x (1 ± noise), do not overlap.
 */
import { medianOf } from '../analysis/cell-metrics.js';
import { mannWhitneyU, minimumPValue } from '../analysis/mann-whitney-u.js';
import { mulberry32 } from '../../pipeline/support/seeded-random.js';

/** Which test decided a row. */
export type SignificanceTestName = 'mann-whitney' | 'bootstrap-ratio' | 'interval-overlap';

/** The outcome of one test. */
export interface Significance {
  significant: boolean;
  test: SignificanceTestName;
  /** Mann-Whitney p-value. */
  p?: number;
  /** bootstrap-ratio: the (1 - alpha) interval of median(b) / median(a). */
  ratioCi?: [number, number];
}

/** Knobs of the test. */
export interface SignificanceOptions {
  alpha: number;
  /** Relative noise floor: the smallest change counted as real without enough repeats to show it. */
  noise: number;
  /** Seed of the bootstrap (derive it from the cell so a comparison is reproducible). */
  seed: number;
  /** Bootstrap resamples (default 10,000: about 10 resamples in each 0.1% tail). */
  resamples?: number;
}

/** Fewest repeats per side for the bootstrap-ratio test (below it: interval overlap). */
export const MIN_BOOTSTRAP_REPEATS = 5;

/** Smallest equal number of repeats per side at which a Mann-Whitney test can reach p < alpha (6 at 0.002). */
export function mannWhitneyRepeatsNeeded(alpha: number): number {
  let n = 1;
  while (minimumPValue(n, n) >= alpha && n < 100) n++;
  return n;
}

/** Can a Mann-Whitney test on these sample sizes reach p < alpha? */
export const mannWhitneyCanDecide = (na: number, nb: number, alpha: number): boolean =>
  na >= 2 && nb >= 2 && minimumPValue(na, nb) < alpha;

function medianInPlace(buf: Float64Array): number {
  buf.sort();
  const m = buf.length >> 1;
  return buf.length % 2 ? buf[m] : (buf[m - 1] + buf[m]) / 2;
}

/** Seeded percentile-bootstrap interval of median(b) / median(a), each side resampled on its own. */
export function bootstrapMedianRatioCi(
  a: readonly number[],
  b: readonly number[],
  opts: { confidence: number; resamples: number; seed: number },
): [number, number] {
  const rand = mulberry32(opts.seed);
  const ra = new Float64Array(a.length),
    rb = new Float64Array(b.length);
  const ratios = new Float64Array(opts.resamples);
  for (let i = 0; i < opts.resamples; i++) {
    for (let j = 0; j < ra.length; j++) ra[j] = a[Math.floor(rand() * a.length)];
    for (let j = 0; j < rb.length; j++) rb[j] = b[Math.floor(rand() * b.length)];
    ratios[i] = medianInPlace(rb) / medianInPlace(ra);
  }
  ratios.sort();
  const tail = (1 - opts.confidence) / 2;
  const at = (q: number): number => ratios[Math.min(ratios.length - 1, Math.max(0, Math.floor(q * ratios.length)))];
  return [at(tail), at(1 - tail)];
}

function interval(samples: number[], noise: number): [number, number] {
  const med = medianOf(samples);
  return [Math.min(med * (1 - noise), ...samples), Math.max(med * (1 + noise), ...samples)];
}

/** Decide whether samples a (BASE) and b (NEW) differ, with the strongest test their sizes allow. */
export function judgeSignificance(a: number[], b: number[], opts: SignificanceOptions): Significance {
  if (mannWhitneyCanDecide(a.length, b.length, opts.alpha)) {
    const { p } = mannWhitneyU(a, b);
    return { significant: p < opts.alpha, test: 'mann-whitney', p };
  }
  if (a.length >= MIN_BOOTSTRAP_REPEATS && b.length >= MIN_BOOTSTRAP_REPEATS && a.every((v) => v > 0)) {
    const ratioCi = bootstrapMedianRatioCi(a, b, {
      confidence: 1 - opts.alpha,
      resamples: opts.resamples ?? 10_000,
      seed: opts.seed,
    });
    return {
      significant: ratioCi[0] > 1 + opts.noise || ratioCi[1] < 1 - opts.noise,
      test: 'bootstrap-ratio',
      ratioCi,
    };
  }
  const [alo, ahi] = interval(a, opts.noise);
  const [blo, bhi] = interval(b, opts.noise);
  return { significant: ahi < blo || bhi < alo, test: 'interval-overlap' };
}

/** One sentence per test used, for the verdict: what decided, and why the U test did not when it did not. */
export function describeTests(
  used: { test: SignificanceTestName; na: number; nb: number }[],
  alpha: number,
  noise: number,
): string[] {
  const out: string[] = [];
  const need = mannWhitneyRepeatsNeeded(alpha);
  const sizes = (t: SignificanceTestName): string =>
    [...new Set(used.filter((u) => u.test === t).map((u) => `${u.na}v${u.nb}`))].join(', ');
  const pct = `${+(noise * 100).toFixed(2)}%`;
  if (used.some((u) => u.test === 'mann-whitney'))
    out.push(`Mann-Whitney U test, two-sided, p < ${alpha} (${sizes('mann-whitney')} repeats).`);
  if (used.some((u) => u.test === 'bootstrap-ratio')) {
    const u = used.find((x) => x.test === 'bootstrap-ratio')!;
    out.push(
      `${sizes('bootstrap-ratio')} repeats are too few for a Mann-Whitney test to reach p < ${alpha} (its smallest p at ${u.na}v${u.nb} is ${minimumPValue(u.na, u.nb).toPrecision(2)}; it needs ${need}v${need}): ` +
        `those rows were judged by a seeded bootstrap ${+((1 - alpha) * 100).toFixed(2)}% interval of the ratio of medians, significant only when the whole interval lies beyond the ±${pct} noise floor.`,
    );
  }
  const few = used.filter(
    (u) => u.test === 'interval-overlap' && (u.na < MIN_BOOTSTRAP_REPEATS || u.nb < MIN_BOOTSTRAP_REPEATS),
  );
  if (used.some((u) => u.test === 'interval-overlap' && !few.includes(u)))
    out.push('Rows with zero values in BASE (no ratio to bootstrap) were judged by whether the intervals overlap.');
  if (few.length) {
    out.push(
      `${[...new Set(few.map((u) => `${u.na}v${u.nb}`))].join(', ')} repeats are too few for any test (a Mann-Whitney test needs ${need}v${need} to reach p < ${alpha}; the bootstrap needs ${MIN_BOOTSTRAP_REPEATS}v${MIN_BOOTSTRAP_REPEATS}): ` +
        `those rows only say whether the [min, max] intervals, widened by the ±${pct} noise floor, overlap. Run more repeats (repeats: ${MIN_BOOTSTRAP_REPEATS} or ${need}) for a verdict to bet on.`,
    );
  }
  return out;
}
