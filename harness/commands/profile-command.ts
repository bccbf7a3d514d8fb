/**
 * `clusterbench profile --stage cluster --scale 20000 --tool cpu-prof`: run one stage once at one scale under a
 * profiler and print where the output is and the top five functions by self time.
 *  - cpu-prof, heap-prof, heap-snapshot: the stage runs in a worker thread (as in a sweep, with the stage's memory
 *    limit) started with --cpu-prof / --heap-prof, or taking a heap snapshot at peak heap;
 *  - doctor, flame, bubbleprof, heapprofiler: clinic 13 runs `node profile-stage-main.js` (the stage in the main
 *    thread, which is all clinic sees) with NO_INSIGHT=1 and --open=false so it works headless; the stage run is
 *    also CPU-profiled through the inspector so the top functions can be printed for these tools too.
 * The input is regenerated from the profile's seed, or read from a run's checkpoints (--run RUN_DIR).
 */
import { mkdirSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadProfile } from '../profile/profile-loader.js';
import { readResults } from '../sweep/run-directory.js';
import { validateProfile } from '../profile/profile-loader.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { prepareStageInput, findStageSpec } from '../profiling/stage-input-preparation.js';
import { pipelineBuffers } from '../workers/transfer-list.js';
import { stageMemoryLimitMb } from '../workers/worker-pool.js';
import { cpuProfileSelfTimes, type FunctionSelfTime } from '../profiling/cpu-profile-summary.js';
import type { ProfileWorkerData, ProfileWorkerResult } from '../profiling/profiling-worker.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { parseOneCount } from '../profile/count-flag.js';

/** Profilers `clusterbench profile` can run. */
export const profileTools = ['cpu-prof', 'heap-prof', 'heap-snapshot', 'doctor', 'flame', 'bubbleprof', 'heapprofiler'] as const;
/** One of profileTools. */
export type ProfileTool = (typeof profileTools)[number];

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
  /** Output files and folders, e.g. the .cpuprofile or the clinic HTML. */
  files: string[];
  /** Top functions by self time (empty when no .cpuprofile was produced). */
  top: FunctionSelfTime[];
  wallMs?: number;
  notes: string[];
}

function newFiles(dir: string, before: Set<string>, suffix: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(suffix) && !before.has(f)).map((f) => join(dir, f)).sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

async function runInWorker(tool: 'cpu-prof' | 'heap-prof' | 'heap-snapshot', profile: SweepProfile, o: ProfileCommandOptions, scale: number, outDir: string, log: (s: string) => void): Promise<ProfileOutcome> {
  const p = await prepareStageInput(profile, o.stage, scale, { runDir: o.run, log });
  for (const s of p.sources) log(`input: ${s}`);
  const before = new Set(readdirSync(outDir));
  const execArgv = tool === 'cpu-prof' ? ['--cpu-prof', `--cpu-prof-dir=${outDir}`] : tool === 'heap-prof' ? ['--heap-prof', `--heap-prof-dir=${outDir}`] : [];
  const snapshotPath = tool === 'heap-snapshot' ? join(outDir, `${p.spec.stage}-${p.spec.method}-n${scale}-peak.heapsnapshot`) : undefined;
  const data: ProfileWorkerData = { kind: p.spec.stage, method: p.spec.method, options: p.options, seed: p.seed, input: p.input, ...(snapshotPath ? { snapshotPath } : {}) };
  const limit = stageMemoryLimitMb(p.spec, profile);
  log(`running ${p.spec.stage}/${p.spec.method} at n=${scale} in a worker (${tool})`);
  const result = await new Promise<ProfileWorkerResult>((res, rej) => {
    let got: ProfileWorkerResult | undefined;
    const w = new Worker(new URL('../profiling/profiling-worker.js', import.meta.url), {
      workerData: data, transferList: pipelineBuffers(p.input) as never, execArgv,
      ...(limit !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: limit } } : {}),
    });
    w.on('message', (m: ProfileWorkerResult) => { got = m; });
    w.on('error', rej);
    w.on('exit', (code) => (got ? res(got) : rej(new Error(`profile worker exited with code ${code} before finishing the stage`))));
  });
  const notes: string[] = [];
  let files: string[] = [];
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
    notes.push(`heap snapshot taken at the peak heap sample (${result.snapshotAt ?? 'start'}; ${(result.peakHeapUsed / 2 ** 20).toFixed(1)} MB used); open it in Chrome DevTools (Memory tab)`);
  }
  if (files.length === 0) throw new Error(`${tool}: the worker finished but wrote no output file in ${outDir}`);
  return { outDir, files, top, wallMs: result.wallMs, notes };
}

async function runWithClinic(tool: 'doctor' | 'flame' | 'bubbleprof' | 'heapprofiler', profile: SweepProfile, profileSource: string, o: ProfileCommandOptions, scale: number, outDir: string, log: (s: string) => void): Promise<ProfileOutcome> {
  findStageSpec(profile, o.stage); // fail early with the list of stages
  const jobPath = join(outDir, 'job.json');
  const cpuProfilePath = join(outDir, `${o.stage.replace('/', '-')}-n${scale}-main-thread.cpuprofile`);
  writeFileSync(jobPath, JSON.stringify({ profile, profileSource, stage: o.stage, scale, cpuProfilePath, ...(o.run ? { runDir: resolve(o.run) } : {}) }));
  const before = new Set(readdirSync(outDir));
  const clinic = join(packageRoot(), 'node_modules', '.bin', 'clinic');
  const script = fileURLToPath(new URL('../profiling/profiling-main.js', import.meta.url));
  const args = [tool, '--open=false', '--dest', outDir, '--', process.execPath, script, jobPath];
  log(`clinic ${args.join(' ')}`);
  const output = await new Promise<string>((res, rej) => {
    const child = spawn(clinic, args, { env: { ...process.env, NO_INSIGHT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (b: Buffer) => { text += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { text += b.toString(); });
    child.on('error', (e) => rej(new Error(`cannot start clinic (${clinic}): ${e.message}`)));
    child.on('exit', (code) => (code === 0 ? res(text) : rej(new Error(`clinic ${tool} exited with code ${code}:\n${text.slice(-2000)}`))));
  });
  const produced = readdirSync(outDir).filter((f) => !before.has(f) && f !== 'job.json').map((f) => join(outDir, f));
  const cpuprofiles = produced.filter((f) => f.endsWith('.cpuprofile'));
  const top = cpuprofiles.length ? cpuProfileSelfTimes(cpuprofiles[cpuprofiles.length - 1]) : [];
  const html = produced.filter((f) => f.endsWith('.html'));
  if (html.length === 0) throw new Error(`clinic ${tool} wrote no HTML report in ${outDir}:\n${output.slice(-2000)}`);
  return { outDir, files: produced, top, notes: [`clinic ${tool} profiles the main thread only; the stage ran there. Open the .html report in a browser.`, ...output.split('\n').filter((l) => /main thread|at n=/.test(l))] };
}

/** Resolve the profile: from --run (its results.json) or --profile (default quick). */
async function resolveProfile(o: ProfileCommandOptions): Promise<{ profile: SweepProfile; source: string }> {
  if (o.run) {
    const r = readResults(resolve(o.run));
    return { profile: await validateProfile(r.profile, join(o.run, 'results.json')), source: join(o.run, 'results.json') };
  }
  const { path, profile } = await loadProfile(o.profile ?? 'quick');
  return { profile, source: path };
}

/** Run the profiler; returns what it produced. */
export async function profileCommand(o: ProfileCommandOptions): Promise<ProfileOutcome> {
  const tool = o.tool as ProfileTool;
  if (!profileTools.includes(tool)) throw new Error(`--tool: "${o.tool}" is not one of ${profileTools.join(', ')}`);
  const scale = parseOneCount('--scale', String(o.scale), '20k');
  const log = (s: string): void => { if (!o.quiet) process.stderr.write(`${s}\n`); };
  const { profile, source } = await resolveProfile(o);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const outDir = resolve(o.out ?? join('runs', `profile-${o.stage.replace('/', '-')}-n${scale}-${tool}-${stamp}`));
  mkdirSync(outDir, { recursive: true });
  return tool === 'cpu-prof' || tool === 'heap-prof' || tool === 'heap-snapshot'
    ? runInWorker(tool, profile, o, scale, outDir, log)
    : runWithClinic(tool, profile, source, o, scale, outDir, log);
}

/** The printed summary: files, then the top five functions by self time. */
export function formatProfileOutcome(p: ProfileOutcome): string {
  const lines = [`output: ${displayPath(p.outDir)}`, ...p.files.map((f) => `  ${displayPath(f)}`)];
  if (p.wallMs !== undefined) lines.push(`stage wall time under the profiler: ${(p.wallMs / 1000).toFixed(2)} s`);
  if (p.top.length) {
    lines.push('top 5 functions by self time:', '  self ms   share  function (file:line)');
    for (const f of p.top.slice(0, 5)) lines.push(`  ${f.selfMs.toFixed(1).padStart(8)}  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.functionName} (${f.url.replace(/^file:\/\//, '').replace(packageRoot() + '/', '')}:${f.line})`);
  }
  lines.push(...p.notes);
  return `${lines.join('\n')}\n`;
}

export function registerProfileCommand(program: Command): void {
  program
    .command('profile')
    .description('profile one stage at one scale: cpu-prof, heap-prof, heap-snapshot (in a worker) or clinic doctor, flame, bubbleprof, heapprofiler (main thread)')
    .requiredOption('--stage <kind[/method]>', 'the stage to profile, e.g. cluster or cluster/kmeans')
    .requiredOption('--scale <n>', 'conversations, e.g. 20000 or 20k')
    .option('--tool <name>', profileTools.join('|'), 'cpu-prof')
    .option('-p, --profile <name|path>', 'profile that defines the pipeline (default quick)')
    .option('--run <dir>', 'use this run\'s profile and its checkpoints for the earlier stages\' outputs')
    .option('-o, --out <dir>', 'output folder (default runs/profile-<stage>-n<scale>-<tool>-<time>)')
    .option('-q, --quiet', 'no progress output')
    .action(async (o: ProfileCommandOptions) => {
      process.stdout.write(formatProfileOutcome(await profileCommand(o)));
    });
}
