/**
 * Distributed sweep cost (issue 16): real redis-server on 127.0.0.1, real `clusterbench worker` processes.
 *  1. overhead per cell of the queue against a local run of the same cell: the near-empty cell (probe/linear,
 *     100 items) run one after another BENCH_QUEUE_SEQ times (default 20) here and through one worker, for each
 *     isolation: `process` (a child process per cell, here and on the worker) and `thread` (a warm pool: the local
 *     sweep's thread executor, the worker's warm pool per stage). Target < 50 ms;
 *  2. throughput of BENCH_QUEUE_CELLS (default 1000) tiny cells on 3 local workers, all enqueued at once, per isolation;
 *  3. a real sweep (runSweep, the sweep loop with its checkpoints and skip rules) of BENCH_QUEUE_SWEEP_CELLS (default
 *     200) tiny cells as 4 scales x 1 stage x repeats on 3 workers: repeats dispatched together (runRepeats) against
 *     one cell at a time (the executor without runRepeats, as before).
 * BENCH_QUEUE_ISOLATION=process|thread limits 1 and 2 to one isolation. Each line prints CPU seconds of this process
 * and of the workers (from /proc, children included) and the load average: this machine is shared.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { validateProfile } from '../harness/profile/profile-loader.js';
import type { SweepProfile } from '../harness/profile/profile-schema.js';
import {
  cellSpec,
  createCellExecutor,
  profileDigest,
  runCell,
  writeCellInput,
  type CellResult,
} from '../harness/sweep/cell-runner.js';
import { CellQueue } from '../harness/queue/cell-queue.js';
import { DirectoryCellStore } from '../harness/queue/cell-store.js';
import { openDistributedSweep } from '../harness/queue/distributed-sweep.js';
import type { QueuedCellSpec } from '../harness/queue/queue-cell-executor.js';
import { runSweep } from '../harness/sweep/sweep-runner.js';
import { createProgressReporter } from '../harness/sweep/progress-reporter.js';
import { startRedis } from '../test/queue/redis-fixture.js';

const seqRuns = Number(process.env.BENCH_QUEUE_SEQ ?? 20);
const manyCells = Number(process.env.BENCH_QUEUE_CELLS ?? 1000);
const sweepCells = Number(process.env.BENCH_QUEUE_SWEEP_CELLS ?? 200);
const isolations = (
  process.env.BENCH_QUEUE_ISOLATION ? [process.env.BENCH_QUEUE_ISOLATION] : ['process', 'thread']
) as ('process' | 'thread')[];
const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

function worker(url: string, store: string, prefix: string, label: string): Promise<ChildProcess> {
  const p = spawn(
    process.execPath,
    [cli, 'worker', '--queue', url, '--store', store, '--prefix', prefix, '--label', label],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    p.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (/cell\(s\) at a time/.test(s)) resolve(p);
    });
    p.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
  });
}

/** CPU seconds of a live process and its reaped children (utime+stime+cutime+cstime from /proc/<pid>/stat). */
function procCpuSec(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}
const selfCpuSec = (): number => procCpuSec(process.pid);
const workersCpuSec = (ws: ChildProcess[]): number => ws.reduce((a, w) => a + procCpuSec(w.pid!), 0);

async function tinyProfile(
  isolation: 'process' | 'thread',
  scales: number[] = [100],
  repeats = 1,
): Promise<SweepProfile> {
  return validateProfile(
    {
      name: 'queue',
      scales,
      repeats,
      warmup: 0,
      isolation,
      checkpoints: { enabled: false },
      stages: [{ stage: 'probe', method: 'linear', options: { workPerItem: 10 } }],
    },
    'bench',
  );
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'clusterbench-bench-queue-'));
  const store = new DirectoryCellStore(join(dir, 'store'));
  const n = 100;
  await writeCellInput(join(dir, 'store', 'in.arrow'), { n }, []);
  const workers: ChildProcess[] = [];
  const stopWorkers = (): void => {
    for (const w of workers.splice(0)) w.kill('SIGKILL');
  };
  try {
    for (const isolation of isolations) {
      const profile = await tinyProfile(isolation);
      const digest = profileDigest(profile);
      const specOf = (sweepId: string, repeat: number): QueuedCellSpec => {
        const { inputPath: _i, outputPath: _o, ...cell } = cellSpec(profile, digest, n, 0, repeat, '', '');
        return { sweepId, cell, inputKey: 'in.arrow', outputKey: `${sweepId}/r${repeat}.out.arrow` };
      };
      // 1. one after another: the local executor of this isolation vs the same cell through one worker.
      const local: number[] = [];
      const executor = createCellExecutor(profile, join(dir, `local-${isolation}`));
      for (let r = 0; r < seqRuns; r++) {
        const t = performance.now();
        const out =
          isolation === 'process'
            ? await runCell(
                cellSpec(profile, digest, n, 0, r, join(dir, 'store', 'in.arrow'), join(dir, `local-${r}.arrow`)),
                'process',
              )
            : await executor.run(0, { n }, n, r);
        if (out.record.status !== 'ok') throw new Error(out.record.reason);
        local.push(performance.now() - t);
      }
      await executor.close();
      workers.push(await worker(redis.url, store.location, `seq-${isolation}`, 'seq'));
      const q1 = await CellQueue.open<QueuedCellSpec, CellResult>(redis.url, { prefix: `seq-${isolation}` });
      const queued: number[] = [];
      for (let r = 0; r < seqRuns; r++) {
        const t = performance.now();
        const out = await q1.run(`seq-${isolation}`, specOf(`seq-${isolation}`, r));
        if (!out.ok) throw new Error(out.reason);
        queued.push(performance.now() - t);
      }
      await q1.close();
      stopWorkers();
      const [ml, mq] = [median(local), median(queued)];
      console.log(
        `isolation ${isolation}: near-empty cell one after another, ${seqRuns} runs: local p50 ${ml.toFixed(1)} ms, through the queue p50 ${mq.toFixed(1)} ms; queue overhead per cell ${(mq - ml).toFixed(1)} ms (target < 50 ms); load ${load()}`,
      );

      // 2. many tiny cells on 3 workers, all enqueued in one flow.
      for (const l of ['w1', 'w2', 'w3']) workers.push(await worker(redis.url, store.location, `many-${isolation}`, l));
      const q3 = await CellQueue.open<QueuedCellSpec, CellResult>(redis.url, { prefix: `many-${isolation}` });
      const [c0, w0, t0] = [selfCpuSec(), workersCpuSec(workers), performance.now()];
      const outs = await q3.runAll(
        `many-${isolation}`,
        Array.from({ length: manyCells }, (_, r) => ({ spec: specOf(`many-${isolation}`, r), name: 'tiny' })),
      );
      const s = (performance.now() - t0) / 1000;
      const [cpuHere, cpuWorkers] = [selfCpuSec() - c0, workersCpuSec(workers) - w0];
      const failed = outs.filter((o) => !o.ok).length;
      const by = new Map<string, number>();
      for (const o of outs) if (o.ok) by.set(o.value.worker.label, (by.get(o.value.worker.label) ?? 0) + 1);
      console.log(
        `isolation ${isolation}: ${manyCells} tiny cells on 3 workers: ${s.toFixed(1)} s wall, ${(manyCells / s).toFixed(1)} cells/s; failed ${failed}; per worker ${[...by].map(([k, v]) => `${k} ${v}`).join(', ')}; CPU coordinator ${cpuHere.toFixed(1)} s, workers+cells ${cpuWorkers.toFixed(1)} s (${((cpuWorkers * 1000) / manyCells).toFixed(0)} ms/cell); load ${load()}`,
      );
      await q3.close();
      stopWorkers();
    }

    // 3. a real sweep loop: repeats together vs one cell at a time (thread isolation: the dispatch is what differs).
    const repeats = Math.max(1, Math.round(sweepCells / 4));
    const profile = await tinyProfile('thread', [100, 200, 300, 400], repeats);
    for (const l of ['s1', 's2', 's3']) workers.push(await worker(redis.url, store.location, 'sweep', l));
    for (const mode of ['one at a time', 'repeats together'] as const) {
      const d = await openDistributedSweep(
        profile,
        { queue: redis.url, store: store.location, prefix: 'sweep', sweepId: `sweep-${mode}` },
        createProgressReporter(process.stderr, true),
      );
      const executor = mode === 'one at a time' ? { ...d.executor, runRepeats: undefined } : d.executor;
      const [c0, w0, t0] = [selfCpuSec(), workersCpuSec(workers), performance.now()];
      const outcome = await runSweep(profile, { progress: createProgressReporter(process.stderr, true), executor });
      const s = (performance.now() - t0) / 1000;
      await d.close();
      const cells = outcome.records.length;
      const bad = outcome.records.filter((r) => r.status !== 'ok').length;
      console.log(
        `sweep loop, ${cells} tiny cells (4 scales x ${repeats} repeats, thread isolation) on 3 workers, ${mode}: ${s.toFixed(1)} s wall, ${(cells / s).toFixed(1)} cells/s; not ok ${bad}; per worker ${Object.entries(
          d.section.cells,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ', ',
          )}; CPU coordinator ${(selfCpuSec() - c0).toFixed(1)} s, workers ${(workersCpuSec(workers) - w0).toFixed(1)} s; parent job ${d.section.sweepJob?.processed} processed; load ${load()}`,
      );
    }
  } finally {
    stopWorkers();
    redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
