/**
 * One measured cell (scale x stage x repeat) as a serialisable spec -> record + output checkpoint, run by one
 * function, runCell, in this process (`isolation: thread`) or in a fresh child process (`isolation: process`, the
 * default: the cell's RSS, VmHWM and heap are its own, nothing from an earlier stage or repeat inflates them, and a
 * V8 abort or the kernel's OOM killer ends only the child). A queue worker can call runCell with a spec it received.
 *
 * In the child (harness/sweep/cell-child.ts) the cell reads its input from an Arrow file, hosts the stage's piscina
 * pool, runs the stage with the in-process measurement (harness/sweep/stage-run.ts) and writes the stage's output
 * fields to another Arrow file. The parent polls /proc/<pid>/status (VmRSS, VmHWM), so a child that dies still
 * leaves its figure at death; it kills a child past the RSS ceiling or far past its time budget.
 *
 * createCellExecutor adapts this to the sweep: thread mode keeps one warm pool per stage and passes data in memory
 * (quick runs); process mode writes a stage's input once per scale and runs each repeat through runCell.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { CellIsolation, PipelineData, PipelineField, StageRecord } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { createStagePool, stageMemoryLimitMb } from '../workers/worker-pool.js';
import { runCommandStage } from '../workers/command-stage-run.js';
import { ipcFileToPipelineFields, pipelineFieldsToTable, writeTableFileAtomic } from '../io/arrow-pipeline-data.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { pickFields } from '../../pipeline/pipeline-fields.js';
import { deriveSeed } from '../../pipeline/support/seeded-random.js';
import { formatBytes } from '../../pipeline/support/format-units.js';
import { emptyRecord, rssCeilingBytes, rssCeilingReason, runStageOnce, stageLabel, warmPool } from './stage-run.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** One cell, as plain JSON: what a child process or a queue worker needs to run it. */
export interface CellSpec {
  /** sha256 of JSON.stringify(profile): identifies the configuration the record belongs to. */
  profileDigest: string;
  /** The resolved profile (stage options, limits, sampling). */
  profile: SweepProfile;
  scale: number;
  /** Index of the stage in profile.stages. */
  stageIndex: number;
  repeat: number;
  /** The stage's seed (derived from profile.seed and the stage's name, as every run of it uses). */
  seed: number;
  /** Arrow IPC file with the fields the stage reads (and the row count n in its metadata). */
  inputPath: string;
  /** Where the stage's written fields go when it ends ok (temp + rename). */
  outputPath: string;
}

/** What a cell gives back. */
export interface CellResult {
  record: StageRecord;
  /** Set when the stage ended ok: the Arrow file with its output fields. */
  outputPath?: string;
  /** CPU ms of the process that hosted the cell: since its start for a child (start-up included), else over the cell. */
  hostCpuMs?: number;
}

/** Observers of a child-process cell (tests read the child's /proc entry with the pid). */
export interface CellRunHooks {
  onChildStart?(pid: number): void;
  /** The child's entry script (default CELL_CHILD_ENTRY); tests point it at a file that does not exist. */
  childEntry?: string;
}

/** sha256 of a profile, as CellSpec.profileDigest. */
export function profileDigest(profile: SweepProfile): string {
  return createHash('sha256').update(JSON.stringify(profile)).digest('hex');
}

/** The cell spec for stage `stageIndex` of `profile`. */
export function cellSpec(
  profile: SweepProfile,
  digest: string,
  scale: number,
  stageIndex: number,
  repeat: number,
  inputPath: string,
  outputPath: string,
): CellSpec {
  const seed = deriveSeed(profile.seed, stageLabel(profile.stages[stageIndex]));
  return { profileDigest: digest, profile, scale, stageIndex, repeat, seed, inputPath, outputPath };
}

/** Run one cell in this process or in a child process. Never throws for a cell that fails: that is its record. */
export function runCell(cell: CellSpec, isolation: CellIsolation, hooks: CellRunHooks = {}): Promise<CellResult> {
  return isolation === 'process' ? runCellInChild(cell, hooks) : runCellHere(cell, 'thread');
}

/** Write the fields a stage reads as its cell input file. */
export async function writeCellInput(
  path: string,
  data: PipelineData,
  fields: readonly PipelineField[],
): Promise<void> {
  await writeTableFileAtomic(path, pipelineFieldsToTable(data, fields));
}

/** Read a cell's input or output file; errors name the file. */
export async function readCellFile(path: string, what: 'input' | 'output'): Promise<PipelineData> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UserError(
      `${path}: cannot read the cell's ${what} checkpoint (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  try {
    const { n, fields } = await ipcFileToPipelineFields(bytes, { compressed: false });
    if (!Number.isInteger(n) || n < 0) throw new Error(`row count ${n}`);
    return { ...fields, n };
  } catch (err) {
    throw new UserError(
      `${path}: the cell's ${what} checkpoint is not a readable Arrow IPC file (${(err as Error).message})`,
    );
  }
}

const cellFailure = (
  cell: CellSpec,
  isolation: CellIsolation,
  status: StageRecord['status'],
  reason: string,
  extra: Partial<StageRecord> = {},
): CellResult => ({
  record: {
    ...emptyRecord(cell.scale, cell.profile.stages[cell.stageIndex], cell.repeat, status, reason),
    isolation,
    ...extra,
  },
});

/**
 * Run the cell in this process: read the input, a pool, the stage, write the output. The pool is a fresh one unless
 * `warm` is given (a queue worker keeps one warm pool per stage for `isolation: thread` profiles, as a local sweep does).
 */
export async function runCellHere(cell: CellSpec, isolation: CellIsolation, warm?: Piscina): Promise<CellResult> {
  const cpu0 = isolation === 'process' ? { user: 0, system: 0 } : process.cpuUsage();
  const r = await runCellBody(cell, isolation, warm);
  const cpu = process.cpuUsage(cpu0);
  return { ...r, hostCpuMs: (cpu.user + cpu.system) / 1000 };
}

async function runCellBody(cell: CellSpec, isolation: CellIsolation, warm?: Piscina): Promise<CellResult> {
  const spec = cell.profile.stages[cell.stageIndex];
  if (!spec)
    return cellFailure(
      cell,
      isolation,
      'error',
      `cell spec: stageIndex ${cell.stageIndex} is not a stage of the profile`,
    );
  let data: PipelineData;
  try {
    data = await readCellFile(cell.inputPath, 'input');
  } catch (err) {
    return cellFailure(cell, isolation, 'error', (err as Error).message);
  }
  const def = await loadStage(spec.stage, spec.method);
  const pool = warm ?? createStagePool(spec, cell.profile);
  try {
    try {
      if (!warm) await warmPool(pool, spec);
    } catch (err) {
      return cellFailure(cell, isolation, 'error', `the stage's worker did not start: ${(err as Error).message}`);
    }
    const { record, data: out } = await runStageOnce(pool, spec, cell.profile, data, cell.scale, cell.repeat);
    record.isolation = isolation;
    if (isolation === 'process') record.vmHwmBytes = readProcStatus('self')?.hwm;
    if (record.status !== 'ok' || !out) return { record };
    await writeTableFileAtomic(
      cell.outputPath,
      pipelineFieldsToTable(
        out,
        def.writes.filter((f) => out[f] !== undefined),
      ),
    );
    return { record, outputPath: cell.outputPath };
  } finally {
    if (!warm) await pool.destroy();
  }
}

/** VmRSS and VmHWM of a process from /proc (undefined where /proc is absent or the process is gone). */
export function readProcStatus(pid: number | 'self'): { rss: number; hwm: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss, hwm } : undefined;
  } catch {
    return undefined;
  }
}

/** The child's entry point (compiled next to this file). */
export const CELL_CHILD_ENTRY = fileURLToPath(new URL('./cell-child.js', import.meta.url));

/** Message a cell child sends back. */
export type CellChildMessage = { type: 'result'; result: CellResult } | { type: 'failed'; message: string };

// The parent stops a child past the ceiling only as a backstop: the child stops its own stage first, at the ceiling.
const PARENT_CEILING_FACTOR = 1.05;
const TIMEOUT_GRACE_MS = 10_000;

/**
 * The cell child's environment: ours plus Node's on-disk compile cache, so a child does not compile the same modules
 * (apache-arrow alone is ~160 files) afresh for every cell. Measured (bench/queue-throughput.bench.ts): see there.
 */
function childEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'clusterbench-compile-cache'),
  };
}

function runCellInChild(cell: CellSpec, hooks: CellRunHooks): Promise<CellResult> {
  const entry = hooks.childEntry ?? CELL_CHILD_ENTRY;
  const spec = cell.profile.stages[cell.stageIndex];
  const ceiling = rssCeilingBytes(cell.profile) * PARENT_CEILING_FACTOR;
  const budgetMs = (spec.timeoutSec ?? cell.profile.limits.timeoutSec) * 1000 + TIMEOUT_GRACE_MS;
  return new Promise<CellResult>((resolve) => {
    let result: CellResult | undefined;
    let failedMessage: string | undefined;
    let killedFor: { status: 'oom' | 'timeout'; reason: string } | undefined;
    let peakRss = 0;
    let hwm = 0;
    let stderr = '';
    const t0 = performance.now();
    const child = fork(entry, [], {
      execArgv: [],
      env: childEnv(),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const poll = (): void => {
      const st = child.pid !== undefined ? readProcStatus(child.pid) : undefined;
      if (!st) return;
      peakRss = Math.max(peakRss, st.rss);
      hwm = Math.max(hwm, st.hwm);
      if (st.rss > ceiling && !killedFor && !result) {
        killedFor = { status: 'oom', reason: rssCeilingReason(st.rss) };
        child.kill('SIGKILL');
      }
    };
    const poller = setInterval(poll, Math.max(5, cell.profile.sampling.intervalMs || 50));
    const budget = setTimeout(() => {
      if (result) return;
      killedFor = {
        status: 'timeout',
        reason: `time budget exceeded (the cell's process did not stop itself within ${TIMEOUT_GRACE_MS / 1000} s of it)`,
      };
      child.kill('SIGKILL');
    }, budgetMs);
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-8192);
    });
    child.on('message', (m: CellChildMessage) => {
      if (m.type === 'result') result = m.result;
      else failedMessage = m.message;
    });
    let settled = false;
    const finish = (r: CellResult): void => {
      if (settled) return;
      settled = true;
      clearInterval(poller);
      clearTimeout(budget);
      resolve(r);
    };
    child.on('error', (err) => {
      // spawn failed (or the IPC channel broke): the cell cannot run, the sweep goes on.
      if (child.pid === undefined)
        finish(
          cellFailure(
            cell,
            'process',
            'error',
            `cannot start the cell's child process (${process.execPath} ${entry}): ${err.message}`,
          ),
        );
    });
    child.on('spawn', () => {
      hooks.onChildStart?.(child.pid!);
      child.send(cell);
    });
    child.on('close', (code, signal) => {
      poll();
      const wallMs = performance.now() - t0;
      const figures = { peakRssBytes: peakRss, vmHwmBytes: hwm || undefined, wallMs };
      if (result) return finish(result);
      const at = `at RSS ${formatBytes(peakRss)} (high-water ${formatBytes(hwm)})`;
      if (killedFor) return finish(cellFailure(cell, 'process', killedFor.status, killedFor.reason, figures));
      const heapAbort = /Reached heap limit|JavaScript heap out of memory|ERR_WORKER_OUT_OF_MEMORY/.test(stderr);
      if (heapAbort) {
        const limit = stageMemoryLimitMb(spec, cell.profile);
        return finish(
          cellFailure(
            cell,
            'process',
            'oom',
            `the cell's process aborted on a V8 heap limit${limit !== undefined ? ` (memoryMb ${limit})` : ''} ${at}`,
            figures,
          ),
        );
      }
      if (signal === 'SIGKILL')
        return finish(
          cellFailure(
            cell,
            'process',
            'oom',
            `the cell's process was killed (SIGKILL, not by clusterbench: the kernel's OOM killer or another process) ${at}`,
            figures,
          ),
        );
      finish(
        cellFailure(
          cell,
          'process',
          'error',
          failedMessage ??
            `the cell's process (${entry}) exited with ${signal ?? `code ${code}`} before answering, ${at}${stderrGist(stderr)}`,
          figures,
        ),
      );
    });
  });
}

/** The error line(s) of a child's stderr, for the record's reason. */
function stderrGist(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== '}' && !l.startsWith('at ') && !l.startsWith('Node.js v'));
  const errors = lines.filter((l) => /error/i.test(l));
  const gist = (errors.length ? errors : lines).slice(-2).join(' | ');
  return gist ? `: ${gist.slice(0, 400)}` : '';
}

/** Runs the sweep's cells: `run` measures stage `stageIndex` once on `data` and returns the data with its output. */
export interface CellExecutor {
  readonly isolation: CellIsolation;
  /** `batch` names a streaming record batch (harness/sweep/streaming-scale.ts): each batch is another input. */
  run(
    stageIndex: number,
    data: PipelineData,
    scale: number,
    repeat: number,
    batch?: string,
  ): Promise<{ record: StageRecord; data?: PipelineData }>;
  /**
   * Optional: run the repeats of one cell at once on the same input (a distributed executor: several workers each
   * take one). Results in repeat order. Local executors leave it out: repeats on one machine would disturb each other.
   */
  runRepeats?(
    stageIndex: number,
    data: PipelineData,
    scale: number,
    repeats: number,
  ): Promise<{ record: StageRecord; data?: PipelineData }[]>;
  close(): Promise<void>;
}

/** A sweep's cell executor for the profile's isolation. `workDir` holds process-mode cell files (default: a temp folder). */
export function createCellExecutor(profile: SweepProfile, workDir?: string): CellExecutor {
  return profile.isolation === 'thread' ? threadExecutor(profile) : processExecutor(profile, workDir);
}

function threadExecutor(profile: SweepProfile): CellExecutor {
  const pools = new Map<number, Promise<Piscina>>();
  const poolFor = (i: number): Promise<Piscina> => {
    let p = pools.get(i);
    if (!p) {
      const pool = createStagePool(profile.stages[i], profile);
      p = warmPool(pool, profile.stages[i]).then(
        () => pool,
        () => pool,
      ); // a failing warm-up shows in the first run
      pools.set(i, p);
    }
    return p;
  };
  return {
    isolation: 'thread',
    async run(i, data, scale, repeat) {
      const spec = profile.stages[i];
      if (spec.command) return runCommandStage(spec, profile, data, scale, repeat); // its own process tree
      const out = await runStageOnce(await poolFor(i), spec, profile, data, scale, repeat);
      out.record.isolation = 'thread';
      return out;
    },
    async close() {
      await Promise.all([...pools.values()].map(async (p) => (await p).destroy()));
    },
  };
}

function processExecutor(profile: SweepProfile, workDir?: string): CellExecutor {
  const dir = workDir ?? mkdtempSync(join(tmpdir(), 'clusterbench-cells-'));
  mkdirSync(dir, { recursive: true });
  const digest = profileDigest(profile);
  // A stage's input is written once per scale and read by each of its repeats.
  let written: { key: string; path: string } | undefined;
  return {
    isolation: 'process',
    async run(i, data, scale, repeat, batch) {
      const spec = profile.stages[i];
      // A command stage already runs in its own process tree, measured from /proc (harness/workers/command-stage-run.ts).
      if (spec.command) return runCommandStage(spec, profile, data, scale, repeat);
      const def = await loadStage(spec.stage, spec.method);
      const key = `n${scale}${batch ? `-${batch}` : ''}-s${String(i).padStart(2, '0')}-${spec.stage}-${spec.method}`;
      if (written?.key !== key) {
        if (written) rmSync(written.path, { force: true });
        written = { key, path: join(dir, `${key}.in.arrow`) };
        await writeCellInput(written.path, data, def.reads);
      }
      const cell = cellSpec(profile, digest, scale, i, repeat, written.path, join(dir, `${key}.r${repeat}.out.arrow`));
      const { record, outputPath } = await runCell(cell, 'process');
      if (!outputPath) return { record };
      try {
        const out = await readCellFile(outputPath, 'output');
        return { record, data: { ...data, ...pickFields(out, def.writes) } };
      } catch (err) {
        return { record: { ...record, status: 'error', reason: (err as Error).message } };
      } finally {
        rmSync(outputPath, { force: true });
      }
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
