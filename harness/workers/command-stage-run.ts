/**
 * Run a command stage once (issue 12): write its inputs to a cell folder, spawn the command in its own process
 * group, sample the process tree's RSS from /proc every intervalMs, enforce the time budget and memory limit by
 * killing the whole tree, then read the outputs back. Breaking points are results: timeout, oom (our limit, the
 * kernel's SIGKILL, or an out-of-memory message), error (not found, non-zero exit, missing or malformed output).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CellStatus, CommandRunInfo, PipelineData, StageRecord } from '../types.js';
import type { StageSpec, SweepProfile } from '../profile/profile-schema.js';
import { childCpuMs, killProcessTree, processTree, startProcessTreeSampler } from './process-tree-sampler.js';
import { stageMemoryLimitMb } from './worker-pool.js';
import {
  CommandOutputError,
  readCommandMetrics,
  readCommandOutputs,
  writeCommandInputs,
} from '../io/command-stage-files.js';
import { summarisePercentiles } from '../../pipeline/support/percentiles.js';
import { pickFields } from '../../pipeline/pipeline-fields.js';
import { commandStageDefaults, substituteArgs } from '../profile/user-stage-resolution.js';
import { deriveSeed } from '../../pipeline/support/seeded-random.js';
import { formatBytes } from '../../pipeline/support/format-units.js';

const TAIL_BYTES = 2048;
const OOM_TEXT = /MemoryError|std::bad_alloc|Cannot allocate memory|out of memory|OutOfMemory/i;

/** Keep the last `limit` bytes of a stream. */
function tailOf(limit: number): { push(b: Buffer): void; text(): string } {
  let buf = Buffer.alloc(0);
  return {
    push(b) {
      buf = Buffer.concat([buf, b]);
      if (buf.length > 4 * limit) buf = buf.subarray(buf.length - limit);
    },
    text() {
      return buf.subarray(Math.max(0, buf.length - limit)).toString('utf8');
    },
  };
}

const lastLine = (s: string): string => s.trim().split('\n').slice(-3).join(' | ').slice(-300);

/** The file a command runs, for messages: the script an interpreter is given (python3 ./x.py), else the program. */
function commandFile(argv: readonly string[]): string {
  const script = argv.slice(1).find((a) => !a.startsWith('-') && /[/.]/.test(a) && !a.includes('{'));
  return `command file ${script ?? argv[0]}`;
}

/** Run the command stage `spec` on `data` once and measure it. The returned data is the input with the outputs merged in. */
export async function runCommandStage(
  spec: StageSpec,
  profile: SweepProfile,
  data: PipelineData,
  scale: number,
  repeat: number,
): Promise<{ record: StageRecord; data?: PipelineData }> {
  const label = `${spec.stage}/${spec.method}`;
  const index = profile.stages.findIndex((s) => s.stage === spec.stage && s.method === spec.method);
  const key = `stages[${index}]`;
  const defaults = commandStageDefaults(spec.stage);
  const reads = spec.reads ?? defaults.reads;
  const writes = spec.writes ?? defaults.writes;
  const format = spec.format ?? 'npy';
  const seed = deriveSeed(profile.seed, label);
  const dir = mkdtempSync(join(os.tmpdir(), 'clusterbench-command-'));
  const base: StageRecord = {
    scale,
    stage: spec.stage,
    method: spec.method,
    repeat,
    status: 'ok',
    items: data.n,
    wallMs: 0,
    cpuUserMs: 0,
    cpuSystemMs: 0,
    peakRssBytes: 0,
    baselineRssBytes: 0,
    peakHeapUsedBytes: 0,
    peakArrayBuffersBytes: 0,
    itemsPerSec: 0,
    rssTimeline: [],
    workerMemory: [],
    counters: {},
    observations: {},
  };
  let keepDir = false;
  try {
    const tIn = performance.now();
    const { manifest, manifestPath, bytes } = await writeCommandInputs(dir, data, reads, writes, format, {
      stage: label,
      profileKey: key,
      scale,
      repeat,
      seed,
      options: spec.options,
    });
    const inputWriteMs = performance.now() - tIn;
    const argv = substituteArgs(spec.command!, {
      ...spec.options,
      seed,
      n: data.n,
      scale,
      repeat,
      manifest: manifestPath,
      workdir: dir,
    });
    const env: NodeJS.ProcessEnv = { ...process.env, ...(spec.env ?? {}), CLUSTERBENCH_MANIFEST: manifestPath };
    // With `api: simulated` the harness put the simulator's URL and key into the options (harness/sweep/sweep-api.ts).
    if (typeof spec.options.baseURL === 'string') env.OPENAI_BASE_URL = spec.options.baseURL;
    if (typeof spec.options.apiKey === 'string') env.OPENAI_API_KEY = spec.options.apiKey;
    const timeoutSec = spec.timeoutSec ?? profile.limits.timeoutSec;
    const limitMb = stageMemoryLimitMb(spec, profile) ?? profile.limits.rssCeilingMb ?? (0.9 * os.totalmem()) / 2 ** 20;
    const limitBytes = limitMb * 2 ** 20;

    const stderr = tailOf(TAIL_BYTES);
    const stdout = tailOf(TAIL_BYTES);
    const cpu0 = childCpuMs();
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), {
      cwd: spec.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    let killedFor: 'timeout' | 'memory' | undefined;
    let killedRss = 0;
    let killedCount = 0;
    const killFor = (why: 'timeout' | 'memory'): void => {
      if (killedFor || child.pid === undefined) return;
      killedFor = why;
      killedCount = killProcessTree(child.pid);
    };
    const sampler =
      child.pid !== undefined
        ? startProcessTreeSampler(child.pid, profile.sampling.intervalMs, (rss) => {
            if (rss > limitBytes && !killedFor) {
              killedRss = rss;
              killFor('memory');
            }
          })
        : undefined;
    const timer = setTimeout(() => killFor('timeout'), timeoutSec * 1000);
    const ended = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      spawnError?: NodeJS.ErrnoException;
    }>((resolve) => {
      child.once('error', (e) => resolve({ code: null, signal: null, spawnError: e }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const wallMs = performance.now() - t0;
    clearTimeout(timer);
    const measured = sampler?.stop();
    // Processes the command left running in its group are part of this cell: end them too.
    let leftovers = 0;
    if (child.pid !== undefined && processTree(child.pid).length > 0) leftovers = killProcessTree(child.pid);
    await new Promise<void>((resolve) => {
      if (child.stdout.readableEnded && child.stderr.readableEnded) return resolve();
      const t = setTimeout(resolve, 1000);
      child.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
    const reaped = childCpuMs();
    const reapedCpu = { user: reaped.user - cpu0.user, system: reaped.system - cpu0.system };
    const sampled = measured?.sampledCpuMs ?? { user: 0, system: 0 };
    const useReaped = reapedCpu.user + reapedCpu.system >= sampled.user + sampled.system;
    const info: CommandRunInfo = {
      argv,
      exitCode: ended.code,
      signal: ended.signal,
      stderrTail: stderr.text(),
      stdoutTail: stdout.text(),
      maxProcesses: measured?.maxProcesses ?? 0,
      peakProcessRssBytes: measured?.peakProcessRssBytes ?? 0,
      cpuSource: useReaped ? 'reaped' : 'sampled',
      inputWriteMs,
      outputReadMs: 0,
      inputBytes: bytes,
    };
    const record: StageRecord = {
      ...base,
      wallMs,
      cpuUserMs: useReaped ? reapedCpu.user : sampled.user,
      cpuSystemMs: useReaped ? reapedCpu.system : sampled.system,
      peakRssBytes: measured?.peakRssBytes ?? 0,
      rssTimeline: measured?.timeline ?? [],
      itemsPerSec: data.n / Math.max(wallMs / 1000, 1e-9),
      counters: {
        'command.processes': info.maxProcesses,
        ...(leftovers ? { 'command.leftoverProcessesKilled': leftovers } : {}),
      },
      command: info,
    };
    const fail = (status: CellStatus, reason: string): { record: StageRecord } => ({
      record: { ...record, status, reason, itemsPerSec: 0 },
    });
    const errTail = lastLine(info.stderrTail);
    if (ended.spawnError) {
      const e = ended.spawnError;
      const why =
        e.code === 'ENOENT'
          ? `program "${argv[0]}" not found (cwd ${spec.cwd})`
          : e.code === 'EACCES'
            ? `program "${argv[0]}" is not executable`
            : e.message;
      return fail('error', `${label} (${key}.command[0]): ${why}`);
    }
    if (killedFor === 'timeout')
      return fail(
        'timeout',
        `time budget exceeded (${timeoutSec} s); killed the process tree (${killedCount} process${killedCount === 1 ? '' : 'es'})`,
      );
    if (killedFor === 'memory')
      return fail(
        'oom',
        `process tree RSS reached ${formatBytes(killedRss)}, above the stage's memory limit of ${formatBytes(limitBytes)}; killed the tree (${killedCount} process${killedCount === 1 ? '' : 'es'})`,
      );
    if (ended.signal === 'SIGKILL')
      return fail(
        'oom',
        `killed by SIGKILL, not by clusterbench (most likely the kernel's OOM killer) at tree RSS ${formatBytes(record.peakRssBytes)}`,
      );
    if (ended.signal)
      return fail('error', `${label} (${key}): killed by ${ended.signal}${errTail ? `; stderr: ${errTail}` : ''}`);
    if (ended.code !== 0) {
      if (OOM_TEXT.test(info.stderrTail))
        return fail('oom', `exited with code ${ended.code} out of memory; stderr: ${errTail}`);
      return fail('error', `${label} (${key}): exited with code ${ended.code}${errTail ? `; stderr: ${errTail}` : ''}`);
    }
    const tOut = performance.now();
    let out: Partial<PipelineData>;
    try {
      const metrics = readCommandMetrics(manifest);
      if (metrics) {
        Object.assign(record.counters, metrics.counters);
        for (const [k, v] of Object.entries(metrics.observations))
          if (v.length > 0) record.observations[k] = summarisePercentiles(v);
      }
      out = await readCommandOutputs(manifest, writes);
    } catch (e) {
      if (!(e instanceof CommandOutputError)) throw e;
      keepDir = true;
      return fail(
        'error',
        `${label} (${key}.writes, ${commandFile(argv)}): output ${e.message}; the cell's files are kept in ${dir}`,
      );
    }
    info.outputReadMs = performance.now() - tOut;
    return { record, data: { ...pickFields(data, reads), ...out } };
  } catch (err) {
    return { record: { ...base, status: 'error', reason: `${label} (${key}): ${(err as Error).message}` } };
  } finally {
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
}
