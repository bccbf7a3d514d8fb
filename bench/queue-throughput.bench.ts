/**
 * Distributed sweep cost (issue 16): real redis-server on 127.0.0.1, real `clusterbench worker` processes.
 *  1. overhead per cell of the queue against a local run of the same cell: the near-empty cell (probe/linear,
 *     100 items) run sequentially BENCH_QUEUE_SEQ times (default 20) via runCell here and via one worker; target < 50 ms;
 *  2. throughput of BENCH_QUEUE_CELLS (default 1000) tiny cells on 3 local workers, all enqueued at once.
 * Each cell runs in its own child process on the worker (as in a sweep), so (2) is bound by process start-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { cellSpec, profileDigest, runCell, writeCellInput, type CellResult } from '../harness/sweep/cell-runner.js';
import { CellQueue } from '../harness/queue/cell-queue.js';
import { DirectoryCellStore } from '../harness/queue/cell-store.js';
import type { QueuedCellSpec } from '../harness/queue/queue-cell-executor.js';
import { startRedis } from '../test/queue/redis-fixture.js';

const seqRuns = Number(process.env.BENCH_QUEUE_SEQ ?? 20);
const manyCells = Number(process.env.BENCH_QUEUE_CELLS ?? 1000);
const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));

function worker(url: string, store: string, prefix: string, label: string): Promise<ChildProcess> {
  const p = spawn(process.execPath, [cli, 'worker', '--queue', url, '--store', store, '--prefix', prefix, '--label', label], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    p.stderr!.setEncoding('utf8').on('data', (s: string) => { if (/cell\(s\) at a time/.test(s)) resolve(p); });
    p.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
  });
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'clusterbench-bench-queue-'));
  const store = new DirectoryCellStore(join(dir, 'store'));
  const n = 100;
  const profile = await validateProfile({ name: 'queue', scales: [n], stages: [{ stage: 'probe', method: 'linear', options: { workPerItem: 10 } }] }, 'bench');
  const digest = profileDigest(profile);
  await writeCellInput(join(dir, 'store', 'in.arrow'), { n }, []);
  const specOf = (sweepId: string, repeat: number): QueuedCellSpec => {
    const { inputPath: _i, outputPath: _o, ...cell } = cellSpec(profile, digest, n, 0, repeat, '', '');
    return { sweepId, cell, inputKey: 'in.arrow', outputKey: `${sweepId}/r${repeat}.out.arrow` };
  };
  const workers: ChildProcess[] = [];
  try {
    // 1. sequential: local runCell vs the same cell through one worker.
    const local: number[] = [];
    for (let r = 0; r < seqRuns; r++) {
      const t = performance.now();
      await runCell(cellSpec(profile, digest, n, 0, r, join(dir, 'store', 'in.arrow'), join(dir, `local-${r}.arrow`)), 'process');
      local.push(performance.now() - t);
    }
    workers.push(await worker(redis.url, store.location, 'seq', 'seq'));
    const q1 = await CellQueue.open<QueuedCellSpec, CellResult>(redis.url, { prefix: 'seq' });
    const queued: number[] = [];
    for (let r = 0; r < seqRuns; r++) {
      const t = performance.now();
      const out = await q1.run(specOf('seq', r));
      if (!out.ok) throw new Error(out.reason);
      queued.push(performance.now() - t);
    }
    await q1.close();
    const [ml, mq] = [median(local), median(queued)];
    console.log(`sequential near-empty cell, ${seqRuns} runs: local runCell p50 ${ml.toFixed(0)} ms, through the queue p50 ${mq.toFixed(0)} ms; queue overhead per cell ${(mq - ml).toFixed(1)} ms (target < 50 ms)`);
    // 2. many tiny cells on 3 workers.
    for (const w of workers.splice(0)) w.kill('SIGKILL');
    for (const l of ['w1', 'w2', 'w3']) workers.push(await worker(redis.url, store.location, 'many', l));
    const q3 = await CellQueue.open<QueuedCellSpec, CellResult>(redis.url, { prefix: 'many' });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const outs = await Promise.all(Array.from({ length: manyCells }, (_, r) => q3.run(specOf('many', r))));
    const s = (performance.now() - t0) / 1000;
    const failed = outs.filter((o) => !o.ok).length;
    const by = new Map<string, number>();
    for (const o of outs) if (o.ok) by.set(o.value.worker.label, (by.get(o.value.worker.label) ?? 0) + 1);
    console.log(`${manyCells} tiny cells on 3 workers: ${s.toFixed(1)} s wall, ${(manyCells / s).toFixed(1)} cells/s; failed ${failed}; per worker ${[...by].map(([k, v]) => `${k} ${v}`).join(', ')}; coordinator CPU ${((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6).toFixed(1)} s; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    await q3.close();
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
