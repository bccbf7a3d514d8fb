/** Test helper: run a YAML profile through the real runner (no run directory) and wrap it as RunResults. */
import { parse } from 'yaml';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { runSweep } from '../harness/sweep/sweep-runner.js';
import { createProgressReporter } from '../harness/sweep/progress-reporter.js';
import { machineInfo } from '../harness/io/machine-info.js';
import type { RunResults } from '../harness/types.js';

/** Validate `yaml`, run it quietly with real piscina pools, and return RunResults as the sweep command would. */
export async function runProfileYaml(yaml: string): Promise<RunResults> {
  const profile = await validateProfile(parse(yaml), 'test profile');
  const outcome = await runSweep(profile, { progress: createProgressReporter(process.stderr, true) });
  const now = new Date().toISOString();
  return {
    schemaVersion: 1, id: 'test', tool: { name: 'clusterbench', version: 'test' }, startedAt: now, finishedAt: now, machine: machineInfo(),
    profilePath: 'test profile', profile, records: outcome.records, scales: outcome.scales, breakingPoints: outcome.breakingPoints, sections: { ...outcome.sections },
  };
}
