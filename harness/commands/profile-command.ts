/**
 * `clusterbench profile --stage cluster --scale 20000 --tool cpu-prof`: run one stage once at one scale under a
 * profiler and print where the output is and the top five functions by self time. The stage runs in a worker
 * thread (as in a sweep, with the stage's memory limit) started with --cpu-prof / --heap-prof, or taking a heap
 * snapshot at peak heap. The input is regenerated from the profile's seed, or read from a run's checkpoints (--run).
 * clinic (doctor, flame, bubbleprof, heapprofiler) was dropped: unmaintained, and 694 of 1,155 lockfile packages.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadProfile } from '../profile/profile-loader.js';
import { readResults } from '../sweep/run-directory.js';
import { validateProfile } from '../profile/profile-loader.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { prepareStageInput } from '../profiling/stage-input-preparation.js';
import { boxLargeViews, pipelineBuffers } from '../workers/transfer-list.js';
import { stageMemoryLimitMb } from '../workers/worker-pool.js';
import { cpuProfileSelfTimes, type FunctionSelfTime } from '../profiling/cpu-profile-summary.js';
import type { ProfileWorkerData, ProfileWorkerResult } from '../profiling/profiling-worker.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { parseOneCount } from '../profile/count-flag.js';

import { profileTools, type ProfileTool } from '../profiling/profile-tools.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** The clinic tools this command once ran; asking for one says what to use instead. */
const droppedClinicTools = new Set(['doctor', 'flame', 'bubbleprof', 'heapprofiler']);

/** Options of the profile command. */
export interface ProfileCommandOptions {
  stage: string;
  scale: string | number;
  tool: string;
  profile?: string;
  run?: string;
  out?: string;
  quiet?: boolean;
}

/** What a profiling run produced. */
export interface ProfileOutcome {
  outDir: string;
  /** Output files, e.g. the .cpuprofile. */
  files: string[];
  /** Top functions by self time (empty when no .cpuprofile was produced). */
  top: FunctionSelfTime[];
  wallMs?: number;
  notes: string[];
}

function newFiles(dir: string, before: Set<string>, suffix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix) && !before.has(f))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

async function runInWorker(
  tool: ProfileTool,
  profile: SweepProfile,
  o: ProfileCommandOptions,
  scale: number,
  outDir: string,
  log: (s: string) => void,
): Promise<ProfileOutcome> {
  const p = await prepareStageInput(profile, o.stage, scale, { runDir: o.run, log });
  for (const s of p.sources) log(`input: ${s}`);
  const before = new Set(readdirSync(outDir));
  const execArgv =
    tool === 'cpu-prof'
      ? ['--cpu-prof', `--cpu-prof-dir=${outDir}`]
      : tool === 'heap-prof'
        ? ['--heap-prof', `--heap-prof-dir=${outDir}`]
        : [];
  const snapshotPath =
    tool === 'heap-snapshot' ? join(outDir, `${p.spec.stage}-${p.spec.method}-n${scale}-peak.heapsnapshot`) : undefined;
  const data: ProfileWorkerData = {
    kind: p.spec.stage,
    method: p.spec.method,
    options: p.options,
    seed: p.seed,
    input: p.input,
    ...(snapshotPath ? { snapshotPath } : {}),
  };
  const limit = stageMemoryLimitMb(p.spec, profile);
  log(`running ${p.spec.stage}/${p.spec.method} at n=${scale} in a worker (${tool})`);
  const result = await new Promise<ProfileWorkerResult>((res, rej) => {
    let got: ProfileWorkerResult | undefined;
    const w = new Worker(new URL('../profiling/profiling-worker.js', import.meta.url), {
      workerData: boxLargeViews(data),
      transferList: pipelineBuffers(p.input) as never,
      execArgv,
      ...(limit !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: limit } } : {}),
    });
    w.on('message', (m: ProfileWorkerResult) => {
      got = m;
    });
    w.on('error', rej);
    w.on('exit', (code) =>
      got ? res(got) : rej(new Error(`profile worker exited with code ${code} before finishing the stage`)),
    );
  });
  const notes: string[] = [];
  let files: string[];
  let top: FunctionSelfTime[] = [];
  if (tool === 'cpu-prof') {
    files = newFiles(outDir, before, '.cpuprofile');
    if (files.length) top = cpuProfileSelfTimes(files[files.length - 1]);
    notes.push('open the .cpuprofile in Chrome DevTools (Performance tab) or speedscope');
  } else if (tool === 'heap-prof') {
    files = newFiles(outDir, before, '.heapprofile');
    notes.push('open the .heapprofile in Chrome DevTools (Memory tab, load profile)');
  } else {
    files = snapshotPath ? [snapshotPath] : [];
    notes.push(
      `heap snapshot taken at the peak heap sample (${result.snapshotAt ?? 'start'}; ${(result.peakHeapUsed / 2 ** 20).toFixed(1)} MB used); open it in Chrome DevTools (Memory tab)`,
    );
  }
  if (files.length === 0) throw new Error(`${tool}: the worker finished but wrote no output file in ${outDir}`);
  return { outDir, files, top, wallMs: result.wallMs, notes };
}

/** Resolve the profile: from --run (its results.json) or --profile (default quick). */
async function resolveProfile(o: ProfileCommandOptions): Promise<SweepProfile> {
  if (o.run) {
    const r = readResults(resolve(o.run));
    return validateProfile(r.profile, join(o.run, 'results.json'));
  }
  return (await loadProfile(o.profile ?? 'quick')).profile;
}

/** Run the profiler; returns what it produced. */
export async function profileCommand(o: ProfileCommandOptions): Promise<ProfileOutcome> {
  const tool = profileTools.find((t) => t === o.tool);
  if (tool === undefined && droppedClinicTools.has(o.tool)) {
    throw new UserError(
      `--tool: "${o.tool}" was a clinic tool; clinic is no longer shipped (unmaintained upstream). Use one of ${profileTools.join(', ')}: open a .cpuprofile as a flame chart in Chrome DevTools or speedscope`,
    );
  }
  if (tool === undefined) throw new UserError(`--tool: "${o.tool}" is not one of ${profileTools.join(', ')}`);
  const scale = parseOneCount('--scale', String(o.scale), '20k');
  const log = (s: string): void => {
    if (!o.quiet) process.stderr.write(`${s}\n`);
  };
  const profile = await resolveProfile(o);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const outDir = resolve(o.out ?? join('runs', `profile-${o.stage.replace('/', '-')}-n${scale}-${tool}-${stamp}`));
  mkdirSync(outDir, { recursive: true });
  return runInWorker(tool, profile, o, scale, outDir, log);
}

/** The printed summary: files, then the top five functions by self time. */
export function formatProfileOutcome(p: ProfileOutcome): string {
  const lines = [`output: ${displayPath(p.outDir)}`, ...p.files.map((f) => `  ${displayPath(f)}`)];
  if (p.wallMs !== undefined) lines.push(`stage wall time under the profiler: ${(p.wallMs / 1000).toFixed(2)} s`);
  if (p.top.length) {
    lines.push('top 5 functions by self time:', '  self ms   share  function (file:line)');
    for (const f of p.top.slice(0, 5))
      lines.push(
        `  ${f.selfMs.toFixed(1).padStart(8)}  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.functionName} (${f.url.replace(/^file:\/\//, '').replace(packageRoot() + '/', '')}:${f.line})`,
      );
  }
  lines.push(...p.notes);
  return `${lines.join('\n')}\n`;
}
