/** Test helper: run a YAML profile through the real runner (no run directory) and wrap it as RunResults. */
import { parse } from 'yaml';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { runSweep } from '../harness/sweep/sweep-runner.js';
import { createProgressReporter } from '../harness/sweep/progress-reporter.js';
import { machineInfo } from '../harness/io/machine-info.js';
import type { RunResults } from '../harness/types.js';
import { buildRunResults, runHeader } from '../harness/sweep/run-results.js';

/** Validate `yaml`, run it quietly with real piscina pools, and return RunResults as the sweep command would. */
export async function runProfileYaml(yaml: string): Promise<RunResults> {
  const profile = await validateProfile(parse(yaml), 'test profile');
  const outcome = await runSweep(profile, { progress: createProgressReporter(process.stderr, true) });
  const header = runHeader({
    id: 'test',
    tool: { name: 'clusterbench', version: 'test' },
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    profilePath: 'test profile',
    profile,
  });
  return buildRunResults(header, outcome);
}
