/**
 * `clusterbench breaking-point`: "find my breaking point on my laptop". Escalates the scale geometrically (x2 by
 * default) from a start until every stage of interest breaks (oom, timeout, error, degraded, superlinear) or the
 * ceiling is reached, then bisects each break to within the profile's tolerance. Writes runs/<id>/ like `sweep`.
 */
import { sweepCommand } from './sweep-command.js';
import { validateProfile } from '../profile/profile-loader.js';
import { escalationScales } from '../sweep/breaking-point-detection.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { RunResults } from '../types.js';
import { parseOneCount } from '../profile/count-flag.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Options of the breaking-point command. */
export interface BreakingPointCommandOptions {
  profile: string;
  /** Stages of interest, kind or kind/method (repeatable). */
  stage?: string[];
  start?: string;
  ceiling?: string;
  factor?: string;
  seed?: string;
  out: string;
  quiet?: boolean;
}

/** Apply the flags to the profile's `breakingPoints.escalate` and set its scales. */
export async function escalationProfile(
  profile: SweepProfile,
  file: string,
  o: BreakingPointCommandOptions,
): Promise<SweepProfile> {
  const base = profile.breakingPoints?.escalate;
  const start = o.start !== undefined ? parseOneCount('--start', o.start, '1k') : base?.start;
  const ceiling = o.ceiling !== undefined ? parseOneCount('--ceiling', o.ceiling, '1k') : base?.ceiling;
  const factor = o.factor !== undefined ? Number(o.factor) : (base?.factor ?? 2);
  if (start === undefined || ceiling === undefined)
    throw new UserError(
      `${file}: breakingPoints.escalate: is required for breaking-point (or pass --start and --ceiling)`,
    );
  if (!(factor > 1)) throw new UserError(`--factor: "${o.factor}" must be a number > 1`);
  if (start > ceiling)
    throw new UserError(
      `${o.ceiling !== undefined ? '--ceiling' : `${file}: breakingPoints.escalate.ceiling`} (${ceiling}) must be >= ${o.start !== undefined ? '--start' : 'breakingPoints.escalate.start'} (${start})`,
    );
  const stages = o.stage?.length ? o.stage : base?.stages;
  for (const s of stages ?? []) {
    if (!profile.stages.some((x) => x.stage === s || `${x.stage}/${x.method}` === s)) {
      throw new UserError(
        `--stage: "${s}" is not a stage of ${file} (its stages: ${profile.stages.map((x) => `${x.stage}/${x.method}`).join(', ')})`,
      );
    }
  }
  const escalate = { ...base, start, ceiling, factor, ...(stages ? { stages } : {}) };
  const seed = o.seed !== undefined ? Number(o.seed) : profile.seed;
  if (!Number.isInteger(seed)) throw new UserError(`--seed: "${o.seed}" is not an integer`);
  return validateProfile(
    { ...profile, seed, scales: escalationScales(escalate), breakingPoints: { ...profile.breakingPoints, escalate } },
    `${file} (breaking-point)`,
  );
}

/** Run the escalation; returns the run directory and results. */
export async function breakingPointCommand(
  o: BreakingPointCommandOptions,
): Promise<{ runDir: string; results: RunResults }> {
  return sweepCommand({
    profile: o.profile,
    out: o.out,
    quiet: o.quiet,
    adjustProfile: (p, file) => escalationProfile(p, file, o),
  });
}
