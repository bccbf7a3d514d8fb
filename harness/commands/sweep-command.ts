/** `clusterbench sweep`: run a profile's scales through its stages and write runs/<id>/. */
import { resolve, join, relative } from 'node:path';
import type { Command } from 'commander';
import { loadProfile, validateProfile } from '../profile-loader.js';
import { runSweep } from '../sweep-runner.js';
import { machineInfo } from '../machine-info.js';
import { newRunId, writeRunReports } from '../run-directory.js';
import { createProgressReporter } from '../progress-reporter.js';
import type { RunResults } from '../types.js';
import type { SweepProfile } from '../profile-schema.js';
import { toolVersion } from '../tool-version.js';

/** Parse "200,1000,5000" into scales; throws naming the flag. */
export function parseScalesFlag(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  const out = parts.map((p) => Number(p.replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000')));
  out.forEach((v, i) => {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`--scales: "${parts[i]}" is not a positive integer (use e.g. --scales 200,1000,5k)`);
  });
  return out;
}

/** Options of the sweep command. */
export interface SweepCommandOptions {
  profile: string;
  scales?: string;
  seed?: string;
  out: string;
  quiet?: boolean;
}

/** Run a sweep from CLI options; returns the run directory. */
export async function sweepCommand(opts: SweepCommandOptions): Promise<{ runDir: string; results: RunResults }> {
  const { path, profile: loaded } = await loadProfile(opts.profile);
  let profile: SweepProfile = loaded;
  if (opts.scales !== undefined || opts.seed !== undefined) {
    const seed = opts.seed !== undefined ? Number(opts.seed) : profile.seed;
    if (!Number.isInteger(seed)) throw new Error(`--seed: "${opts.seed}" is not an integer`);
    profile = await validateProfile({ ...profile, seed, scales: opts.scales !== undefined ? parseScalesFlag(opts.scales) : profile.scales }, `${relative(process.cwd(), path)} (with flags)`);
  }
  const progress = createProgressReporter(process.stderr, opts.quiet);
  const startedAt = new Date();
  const id = newRunId(profile.name, startedAt);
  const runDir = resolve(opts.out, id);
  progress.log(`clusterbench sweep "${profile.name}": scales ${profile.scales.join(', ')}; stages ${profile.stages.map((s) => `${s.stage}/${s.method}`).join(' -> ')}`);
  const outcome = await runSweep(profile, { progress });
  const results: RunResults = {
    schemaVersion: 1,
    id,
    tool: { name: 'clusterbench', version: toolVersion() },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    profilePath: relative(process.cwd(), path) || path,
    profile,
    ...outcome,
    sections: {},
  };
  const files = writeRunReports(runDir, results);
  progress.log(`wrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);
  return { runDir, results };
}

export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('run a sweep profile at escalating scales and write runs/<id>/ with results.json and report.md')
    .option('-p, --profile <name|path>', 'profile name in profiles/ or a YAML path', 'quick')
    .option('--scales <list>', 'override the profile scales, e.g. 200,1000,5k')
    .option('--seed <n>', 'override the profile seed')
    .option('-o, --out <dir>', 'parent folder for run directories', 'runs')
    .option('-q, --quiet', 'no progress output')
    .action(async (o: SweepCommandOptions) => {
      await sweepCommand(o);
    });
}
