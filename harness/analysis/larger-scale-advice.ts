/**
 * What a user should add to a profile's `scales` so that a target scale is within what a fit may claim (issue 10):
 * a fit needs at least 4 measured scales spanning at least 10x, and reaches at most 10x past its largest scale.
 * Suggested scales are round numbers (1, 2, 5 x 10^k).
 */

/** Fewest measured scales for a fit, and the least span (largest / smallest) they must cover. */
export const minFitScales = 4;
export const minFitSpan = 10;
/** How far past the largest measured scale an estimate may go (unless the exponent is known to ±0.1). */
export const maxExtrapolation = 10;

const steps = [1, 2, 5];

/** The round number (1, 2, 5 x 10^k) nearest to x in log terms. */
export function roundScale(x: number): number {
  let best = 1;
  for (let e = 0; e <= 12; e++)
    for (const s of steps) {
      const v = s * 10 ** e;
      if (Math.abs(Math.log(v / x)) < Math.abs(Math.log(best / x))) best = v;
    }
  return best;
}

/** The smallest round number >= x. */
function roundUp(x: number): number {
  for (let e = 0; e <= 12; e++) for (const s of steps) if (s * 10 ** e >= x) return s * 10 ** e;
  return x;
}

/** Whether these measured scales may be fitted: >= 4 distinct, spanning >= 10x. */
export function fitSupported(scales: number[]): boolean {
  const s = [...new Set(scales)];
  return s.length >= minFitScales && Math.max(...s) / Math.min(...s) >= minFitSpan;
}

/** "3 scales spanning 25×; a fit needs 4 spanning 10×", or undefined when supported. */
export function unsupportedFitReason(scales: number[]): string | undefined {
  if (fitSupported(scales)) return undefined;
  const s = [...new Set(scales)];
  const span = s.length ? Math.max(...s) / Math.min(...s) : 0;
  return `${s.length} scale${s.length === 1 ? '' : 's'}${s.length > 1 ? ` spanning ${+span.toFixed(1)}×` : ''}; a fit needs ${minFitScales} spanning ${minFitSpan}×`;
}

/**
 * Scales to add so that `target` is supported: a scale >= target/10, then enough more for 4 scales spanning 10x
 * (the target itself when it is within 10x of the largest, else the widest gap split).
 */
export function scalesToAdd(measured: number[], target: number): number[] {
  const have = new Set(measured);
  const add: number[] = [];
  const all = (): number[] => [...have, ...add].sort((a, b) => a - b);
  if (Math.max(...measured) * maxExtrapolation < target) add.push(roundUp(target / maxExtrapolation));
  while (!fitSupported(all())) {
    const s = all();
    const top = s[s.length - 1];
    if (top / s[0] < minFitSpan) {
      add.push(roundUp(s[0] * minFitSpan));
      continue;
    }
    const atTarget = roundUp(target);
    if (target > top && !add.includes(atTarget)) {
      add.push(atTarget);
      continue;
    }
    let gap = 0;
    for (let i = 1; i < s.length; i++) if (s[i] / s[i - 1] > s[gap + 1] / s[gap]) gap = i - 1;
    const mid = roundScale(Math.sqrt(s[gap] * s[gap + 1]));
    if (have.has(mid) || add.includes(mid)) break; // gaps too narrow to split with round numbers
    add.push(mid);
  }
  return add.sort((a, b) => a - b);
}

/** "not measured: run a larger scale (add 50000 to scales in profiles/quick.yaml)". */
export function largerScaleAdvice(measured: number[], target: number, profilePath: string): string {
  const add = scalesToAdd(measured, target);
  const list = add.length > 1 ? `${add.slice(0, -1).join(', ')} and ${add[add.length - 1]}` : String(add[0] ?? target);
  return `not measured: run a larger scale (add ${list} to scales in ${profilePath})`;
}
