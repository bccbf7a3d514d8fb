/**
 * Regression thresholds in the style of k6: a map from a metric key to a ratio condition on NEW/BASE, e.g.
 *   cluster.wall_p50: "<1.10x"     (NEW may be at most 10% slower)
 *   embed.peak_rss: "<1.05x"
 *   quality.ari: ">0.98x"          (ARI may drop by at most 2%)
 *   "*.throughput": ">0.90x"       ("*" matches every stage; "cluster/kmeans.wall_p50" matches one method)
 *   embed.gc_ms: off               (turn a default threshold off)
 * Keys are `<stage>.<metric>` where stage is a kind, kind/method, or "*", and `quality.<figure>` for quality.
 */
import { UserError } from '../../pipeline/support/user-error.js';

/** A parsed ratio condition. */
export interface ThresholdExpression {
  /** The key as written, e.g. "cluster.wall_p50". */
  key: string;
  /** The condition as written, e.g. "<1.10x". */
  text: string;
  op: '<' | '<=' | '>' | '>=';
  ratio: number;
}

/** A threshold map as a profile states it (`off` or null disables a key). */
export type ThresholdMap = Record<string, string | null>;

/**
 * Built-in thresholds, used for any key the profile does not set. asv's default regression factor is 1.1. They judge
 * CPU time and peak memory, which a shared machine's load barely moves; wall time is judged only when asked.
 */
export const defaultThresholds: ThresholdMap = {
  '*.cpu_p50': '<1.10x',
  '*.peak_rss': '<1.10x',
  '*.peak_heap': '<1.10x',
  'quality.ari': '>0.98x',
  'quality.nmi': '>0.98x',
  'quality.silhouette': '>0.95x',
};

/** Added under the defaults by `compare --wall`: wall time and the throughput derived from it. */
export const wallThresholds: ThresholdMap = { '*.wall_p50': '<1.10x', '*.throughput': '>0.91x' };

const exprPattern = /^\s*(<=|>=|<|>)\s*([0-9]*\.?[0-9]+)\s*x\s*$/;
const keyPattern = /^(\*|quality|[a-z-]+(\/[A-Za-z0-9_.-]+)?)\.[A-Za-z_][A-Za-z0-9_]*$/;

/** Parse one `key: "<1.10x"` entry; the error names the expression and says how to write it. */
export function parseThreshold(key: string, text: string): ThresholdExpression {
  if (!keyPattern.test(key))
    throw new UserError(
      `threshold key "${key}": write <stage>.<metric> (e.g. "cluster.wall_p50", "cluster/kmeans.peak_rss", "*.wall_p50") or quality.<figure> (e.g. "quality.ari")`,
    );
  const m = exprPattern.exec(String(text));
  if (!m)
    throw new UserError(
      `threshold ${key}: "${text}" is not a ratio condition; write e.g. "<1.10x" (NEW/BASE below 1.10) or ">0.98x"`,
    );
  const ratio = Number(m[2]);
  if (!(ratio > 0)) throw new UserError(`threshold ${key}: "${text}": the ratio must be positive`);
  return { key, text: text.trim(), op: m[1] as ThresholdExpression['op'], ratio };
}

/** Merge the defaults with a profile's thresholds (profile wins; `off`/null removes a key) and parse them all. */
export function resolveThresholds(profile: ThresholdMap | undefined, useDefaults = true): ThresholdExpression[] {
  const merged: ThresholdMap = { ...(useDefaults ? defaultThresholds : {}), ...(profile ?? {}) };
  return Object.entries(merged)
    .filter(([, v]) => v !== null && v !== undefined && String(v).trim().toLowerCase() !== 'off')
    .map(([k, v]) => parseThreshold(k, String(v)));
}

/** Does a ratio satisfy the condition? */
export function thresholdHolds(t: ThresholdExpression, ratio: number): boolean {
  switch (t.op) {
    case '<':
      return ratio < t.ratio;
    case '<=':
      return ratio <= t.ratio;
    case '>':
      return ratio > t.ratio;
    case '>=':
      return ratio >= t.ratio;
  }
}

/** The most specific threshold for a metric of a stage ("kind/method" beats "kind" beats "*"). */
export function findThreshold(
  all: ThresholdExpression[],
  stage: string,
  method: string | undefined,
  metric: string,
): ThresholdExpression | undefined {
  const candidates =
    method !== undefined
      ? [`${stage}/${method}.${metric}`, `${stage}.${metric}`, `*.${metric}`]
      : [`${stage}.${metric}`];
  for (const key of candidates) {
    const t = all.find((x) => x.key === key);
    if (t) return t;
  }
  return undefined;
}

/** `key: "<1.10x"`, as error messages quote it. */
export const formatThreshold = (t: ThresholdExpression): string => `${t.key}: "${t.text}"`;
