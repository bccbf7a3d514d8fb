/** Default scales of `sweep --input FILE` with no --scales: nested samples of 1/16, 1/4 and all of the file. */

/** Smallest sampled scale worth timing; smaller fractions are dropped. */
export const MIN_FRACTION_SCALE = 100;

/** Scales for a file of `valid` conversations: the fractions 1/16, 1/4, 1 (rounded, at least 100, distinct), always ending at `valid`. */
export function inputFractionScales(valid: number): number[] {
  const out = new Set<number>();
  for (const f of [1 / 16, 1 / 4]) {
    const s = Math.round(valid * f);
    if (s >= MIN_FRACTION_SCALE && s < valid) out.add(s);
  }
  out.add(Math.max(1, valid));
  return [...out].sort((a, b) => a - b);
}
