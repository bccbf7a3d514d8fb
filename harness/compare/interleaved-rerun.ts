/**
 * `compare --rerun`: measure BASE and NEW now, on this machine and build, with their repeats interleaved
 * (BASE, NEW, BASE, NEW, ...) as asv's rounds do, so that drift in the machine's load (other users, thermal state,
 * a backup starting) falls on both sides alike instead of on whichever ran second. Each side is a profile (name
 * or path) or a run folder, whose recorded profile is re-run. Every round runs each side's whole sweep once
 * (`repeats: 1`, with the profile's own warm-up) in fresh worker pools; the rounds' records become repeats 0..N-1.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RerunSection, RunResults, StageRecord } from '../types.js';
export type { RerunSection } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { loadProfile, validateProfile } from '../profile/profile-loader.js';
import { readResults } from '../sweep/run-directory.js';
import { uniqueRunId as newRunId } from '../sweep/run-folder.js';
import { runSweep } from '../sweep/sweep-runner.js';
import type { ProgressReporter } from '../sweep/progress-reporter.js';
import { machineInfo } from '../io/machine-info.js';
import { toolVersion } from '../io/tool-version.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** One side of a rerun: what to run and where it came from. */
export interface RerunSide {
  profile: SweepProfile;
  /** The profile file, or the run folder whose profile is re-run. */
  source: string;
}

/** `sections.rerun` of each side's results. */

/** A profile name or path, or a run folder (or its results.json): the profile to re-run. Errors name the argument. */
export async function resolveRerunSide(arg: string): Promise<RerunSide> {
  const p = resolve(arg);
  if (existsSync(p) && (statSync(p).isDirectory() || p.endsWith('.json'))) {
    const dir = statSync(p).isDirectory() ? p : dirname(p);
    if (!existsSync(resolve(dir, 'results.json')))
      throw new UserError(`${arg}: a folder without results.json; give a run folder or a profile`);
    const prior = readResults(dir);
    return {
      profile: await validateProfile(prior.profile, `${displayPath(resolve(dir, 'results.json'))}: profile`),
      source: displayPath(dir),
    };
  }
  const { path, profile } = await loadProfile(arg);
  return { profile, source: displayPath(path) };
}

function results(
  side: RerunSide,
  label: 'BASE' | 'NEW',
  records: StageRecord[],
  first: Awaited<ReturnType<typeof runSweep>>,
  startedAt: Date,
  repeats: number,
  order: string[],
): RunResults {
  const rerun: RerunSection = { side: label, repeats, order, source: side.source };
  return {
    schemaVersion: 1,
    id: newRunId(`${side.profile.name}-${label.toLowerCase()}`, startedAt),
    tool: { name: 'clusterbench', version: toolVersion() },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    profilePath: side.source,
    profile: { ...side.profile, repeats },
    records,
    scales: first.scales,
    breakingPoints: first.breakingPoints,
    sections: { ...first.sections, rerun },
  };
}

/** Run both sides `repeats` times, interleaved; returns each side's results with repeats 0..repeats-1. */
export async function runInterleaved(
  base: RerunSide,
  next: RerunSide,
  opts: { repeats: number; progress: ProgressReporter },
): Promise<{ base: RunResults; next: RunResults; order: string[] }> {
  if (!(Number.isInteger(opts.repeats) && opts.repeats >= 1))
    throw new UserError(`--repeats: "${opts.repeats}" must be a positive integer`);
  const startedAt = new Date();
  const order: string[] = [];
  const sides = [
    {
      side: base,
      label: 'BASE' as const,
      records: [] as StageRecord[],
      first: undefined as Awaited<ReturnType<typeof runSweep>> | undefined,
    },
    {
      side: next,
      label: 'NEW' as const,
      records: [] as StageRecord[],
      first: undefined as Awaited<ReturnType<typeof runSweep>> | undefined,
    },
  ];
  for (let i = 0; i < opts.repeats; i++) {
    for (const s of sides) {
      opts.progress.log(`rerun round ${i + 1}/${opts.repeats}: ${s.label} (${s.side.source})`);
      const outcome = await runSweep({ ...s.side.profile, repeats: 1 }, { progress: opts.progress });
      for (const r of outcome.records) s.records.push({ ...r, repeat: i });
      s.first ??= outcome;
      order.push(`${s.label}#${i}`);
    }
  }
  return {
    base: results(base, 'BASE', sides[0].records, sides[0].first!, startedAt, opts.repeats, order),
    next: results(next, 'NEW', sides[1].records, sides[1].first!, startedAt, opts.repeats, order),
    order,
  };
}
