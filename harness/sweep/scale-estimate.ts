/**
 * Refuse scales that cannot work before any work is done: the conversation text of one scale is estimated from
 * the generator's meanBytes. Past half the machine's RAM (packing holds the text twice) no run can succeed, so
 * the profile is refused at once instead of generating gigabytes first. Near the limit the estimate is not sure
 * enough, and the sweep records the scale as an input error as before (harness/sweep/sweep-input.ts).
 */
import os from 'node:os';
import type { SweepProfile } from '../profile/profile-schema.js';
import { resolveGeneratorOptions } from '../../generators/synthetic-conversations.js';
import { formatBytes } from '../../pipeline/support/format-units.js';
import { executionOf } from '../profile/execution-schema.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** The estimated bytes of conversation text at `scale`, or undefined when the input is not synthetic. */
export function estimatedTextBytes(profile: SweepProfile, scale: number): number | undefined {
  if (profile.input.kind !== 'synthetic') return undefined;
  const o = resolveGeneratorOptions({ ...(profile.input.options as object), n: 0, seed: 0 });
  return scale * o.meanBytes;
}

/** Throw, naming the scale and the estimate, when a scale cannot fit. `where` prefixes the message (the profile file). */
export function refuseImpossibleScales(profile: SweepProfile, where: string, totalMem = os.totalmem()): void {
  // Streaming mode holds one record batch of text at a time (unless compareModes runs batch mode as well).
  const exec = executionOf(profile);
  const held = (scale: number): number =>
    exec.mode === 'streaming' && !exec.compareModes ? Math.min(scale, exec.batchSize) : scale;
  for (const scale of profile.scales) {
    const bytes = estimatedTextBytes(profile, held(scale));
    if (bytes === undefined) continue;
    // Packing peaks at twice the text (harness/sweep/sweep-input.ts), so half the RAM is the most a scale can hold.
    const limit = totalMem / 2;
    if (bytes > limit) {
      const perItem = bytes / held(scale);
      throw new UserError(
        `${where}: scale ${scale.toLocaleString('en-US')} needs about ${formatBytes(bytes)} of conversation text (${Math.round(perItem)} bytes each), ` +
          `beyond half of this machine's ${formatBytes(totalMem)} of RAM (packing holds the text twice); ` +
          `the largest scale that can fit is about ${Math.floor(limit / perItem).toLocaleString('en-US')}. Nothing was run.`,
      );
    }
  }
}
