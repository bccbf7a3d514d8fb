/** Counts on the command line: "5000", "5_000", "5k", "1m". One parser, so every flag accepts the same spellings. */
import { UserError } from '../../pipeline/support/user-error.js';

/** The number a count text spells, or NaN. */
export function countFromText(text: string): number {
  return Number(text.trim().replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
}

/** A comma-separated list of positive counts; errors name `flag` and show `example`. */
export function parseCountList(flag: string, text: string, example: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  // "200,,1000" or a trailing comma is a typo, not a shorter list.
  if (parts.some((p) => p === ''))
    throw new UserError(`${flag}: "${text}" has an empty entry (use e.g. ${flag} ${example})`);
  return parts.map((p) => {
    const v = countFromText(p);
    if (!Number.isInteger(v) || v <= 0)
      throw new UserError(`${flag}: "${p}" is not a positive integer (use e.g. ${flag} ${example})`);
    return v;
  });
}

/** Exactly one positive count. */
export function parseOneCount(flag: string, text: string, example: string): number {
  const v = parseCountList(flag, text, example);
  if (v.length !== 1) throw new UserError(`${flag}: give one scale, e.g. ${flag} ${example}`);
  return v[0];
}
