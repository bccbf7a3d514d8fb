/**
 * Main-thread entry for `clusterbench profile` with a clinic tool (clinic 13 profiles only the main thread): reads
 * its job from the JSON file named by argv[2], prepares the stage's input, runs the stage once in this thread, and
 * prints one line of timing. Started by clinic as `node profile-stage-main.js job.json`. The stage run alone (not the
 * input preparation) is also CPU-profiled through the inspector into job.cpuprofile, for the top functions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { validateProfile } from '../profile/profile-loader.js';
import { prepareStageInput } from './stage-input-preparation.js';

/** The job file's content. */
export interface ProfileJob {
  profile: unknown;
  profileSource: string;
  stage: string;
  scale: number;
  runDir?: string;
  /** Where to write the stage's .cpuprofile. */
  cpuProfilePath?: string;
}

async function main(): Promise<void> {
  const jobPath = process.argv[2];
  if (!jobPath) throw new Error('usage: profile-stage-main.js JOB.json');
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as ProfileJob;
  const profile = await validateProfile(job.profile, job.profileSource);
  const p = await prepareStageInput(profile, job.stage, job.scale, { runDir: job.runDir });
  const session = new Session();
  session.connect();
  if (job.cpuProfilePath) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const t0 = performance.now();
  await p.def.run(p.input, p.options, { seed: p.seed, sample() {}, count() {}, observe() {} });
  if (job.cpuProfilePath) {
    const { profile: cpu } = await session.post('Profiler.stop');
    writeFileSync(job.cpuProfilePath, JSON.stringify(cpu));
  }
  session.disconnect();
  process.stdout.write(`${p.spec.stage}/${p.spec.method} at n=${job.scale}: ${((performance.now() - t0) / 1000).toFixed(2)} s in the main thread\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`profile-stage-main: ${(e as Error)?.message ?? String(e)}\n`);
  process.exitCode = 2;
});
