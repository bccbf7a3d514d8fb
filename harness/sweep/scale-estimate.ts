/**
 * Refuse scales that cannot work before any work is done: the conversation text of one scale is estimated from
 * the generator's meanBytes. Past twice the 2 GiB TextColumn limit (or the machine's RAM) no run can succeed, so
 * the profile is refused at once instead of generating gigabytes first. Near the limit the estimate is not sure
 * enough, and the sweep records the scale as an input error as before (harness/sweep/sweep-input.ts).
 */
import os from 'node:os';
import type { SweepProfile } from '../profile/profile-schema.js';
import { resolveGeneratorOptions, type GeneratorOptions } from '../../generators/synthetic-conversations.js';
import { MAX_TEXT_BYTES } from './sweep-input.js';
import { formatBytes } from '../../pipeline/support/format-units.js';

/** The estimated bytes of conversation text at `scale`, or undefined when the input is not synthetic. */
export function estimatedTextBytes(profile: SweepProfile, scale: number): number | undefined {
  if (profile.input.kind !== 'synthetic') return undefined;
  const o = resolveGeneratorOptions({ ...(profile.input.options as object), n: 0, seed: 0 } as GeneratorOptions);
  return scale * o.meanBytes;
}

/** Throw, naming the scale and the estimate, when a scale cannot fit. `where` prefixes the message (the profile file). */
export function refuseImpossibleScales(profile: SweepProfile, where: string, totalMem = os.totalmem()): void {
  for (const scale of profile.scales) {
    const bytes = estimatedTextBytes(profile, scale);
    if (bytes === undefined) continue;
    const limit = Math.min(2 * MAX_TEXT_BYTES, totalMem);
    if (bytes > limit) {
      const perItem = bytes / scale;
      throw new Error(
        `${where}: scale ${scale.toLocaleString('en-US')} needs about ${formatBytes(bytes)} of conversation text (${Math.round(perItem)} bytes each), ` +
          `beyond ${bytes > totalMem ? `this machine's ${formatBytes(totalMem)} of RAM` : 'the 2 GiB a scale can hold (TextColumn offsets are 32-bit)'}; ` +
          `the largest scale that can fit is about ${Math.floor(MAX_TEXT_BYTES / perItem).toLocaleString('en-US')}. Nothing was run.`,
      );
    }
  }
}
