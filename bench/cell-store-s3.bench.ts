/**
 * What the S3 cell store costs against the directory store (issue 16), on real parts: s3rver (npm) on 127.0.0.1 in
 * this process, a real redis-server, real `clusterbench worker` processes.
 *  1. the store operations alone, per cell-sized object (BENCH_S3_KB, default 256 KiB, about 1,000 x 64 float32
 *     embeddings): put, has, get of an uncached object, BENCH_S3_OPS times (default 40) for each store;
 *  2. the near-empty cell (probe/linear, 100 items, thread isolation: a warm pool) one after another
 *     BENCH_S3_SEQ times (default 20) through one worker with each store: the difference of the medians is the S3
 *     store's overhead per cell (an input is downloaded once per worker, each output uploaded once).
 * A local S3 server measures the protocol's cost (HTTP, signing, copies), not a network's: a real bucket adds its
 * round trips (typically 10-30 ms each on AWS within a region) to put and get.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { cellSpec, profileDigest, writeCellInput, type CellResult } from '../harness/sweep/cell-runner.js';
import { CellQueue } from '../harness/queue/cell-queue.js';
import { DirectoryCellStore, type CellStore } from '../harness/queue/cell-store.js';
import { S3CellStore } from '../harness/queue/s3-cell-store.js';
import type { QueuedCellSpec } from '../harness/queue/queue-cell-executor.js';
import { startRedis } from '../test/queue/redis-fixture.js';
import { startS3 } from '../test/queue/s3-fixture.js';

const ops = Number(process.env.BENCH_S3_OPS ?? 40);
const seqRuns = Number(process.env.BENCH_S3_SEQ ?? 20);
const kb = Number(process.env.BENCH_S3_KB ?? 256);
const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

async function timeEach(n: number, f: (i: number) => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    t.push(performance.now() - t0);
  }
  return median(t);
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const s3 = await startS3('bench');
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: 'us-east-1',
    CLUSTERBENCH_S3_ENDPOINT: s3.endpoint,
  });
  const dir = mkdtempSync(join(tmpdir(), 'clusterbench-bench-s3-'));
  const stores: [string, string, CellStore][] = [
    ['directory', join(dir, 'store'), new DirectoryCellStore(join(dir, 'store'))],
    ['s3', 's3://bench/cells', new S3CellStore('s3://bench/cells', { cacheDir: join(dir, 'cache') })],
  ];
  const workers: ChildProcess[] = [];
  try {
    // 1. store operations on a cell-sized object.
    const blob = join(dir, 'blob.bin');
    writeFileSync(blob, randomFillSync(Buffer.alloc(kb * 1024)));
    const opsMs: Record<string, number[]> = {};
    for (const [name, , store] of stores) {
      const put = await timeEach(ops, (i) => store.put(`ops/${i}.arrow`, blob));
      const has = await timeEach(ops, (i) => store.has(`ops/${i}.arrow`));
      const get = await timeEach(ops, (i) => store.get(`ops/${i}.arrow`));
      opsMs[name] = [put, has, get];
      console.log(
        `${name} store, ${kb} KiB object, ${ops} each: put p50 ${put.toFixed(2)} ms, has p50 ${has.toFixed(2)} ms, get (uncached) p50 ${get.toFixed(2)} ms; load ${load()}`,
      );
    }

    // 2. the near-empty cell through one worker, with each store.
    const profile = await validateProfile(
      {
        name: 's3',
        scales: [100],
        repeats: 1,
        warmup: 0,
        isolation: 'thread',
        checkpoints: { enabled: false },
        stages: [{ stage: 'probe', method: 'linear', options: { workPerItem: 10 } }],
      },
      'bench',
    );
    const digest = profileDigest(profile);
    const medians: Record<string, number> = {};
    for (const [name, spec, store] of stores) {
      const input = store.scratchPath('in.arrow');
      await writeCellInput(input, { n: 100 }, []);
      await store.put('in.arrow', input);
      rmSync(input, { force: true });
      const w = spawn(
        process.execPath,
        [cli, 'worker', '--queue', redis.url, '--store', spec, '--prefix', `seq-${name}`, '--label', name],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      workers.push(w);
      await new Promise<void>((resolve, reject) => {
        w.stderr.setEncoding('utf8').on('data', (s: string) => {
          if (/cell\(s\) at a time/.test(s)) resolve();
        });
        w.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
      });
      const q = await CellQueue.open<QueuedCellSpec, CellResult>(redis.url, { prefix: `seq-${name}` });
      const times: number[] = [];
      for (let r = 0; r < seqRuns + 1; r++) {
        const { inputPath: _i, outputPath: _o, ...cell } = cellSpec(profile, digest, 100, 0, r, '', '');
        const t0 = performance.now();
        const out = await q.run(`seq-${name}`, {
          sweepId: `seq-${name}`,
          cell,
          inputKey: 'in.arrow',
          outputKey: `seq/r${r}.out.arrow`,
        });
        if (!out.ok) throw new Error(out.reason);
        await store.get(`seq/r${r}.out.arrow`); // the coordinator reads each output back, as a sweep does for the last repeat
        if (r > 0) times.push(performance.now() - t0); // the first cell warms the worker's pool
      }
      await q.close();
      w.kill('SIGKILL');
      medians[name] = median(times);
      console.log(
        `${name} store: near-empty cell through one worker, ${seqRuns} runs: p50 ${medians[name].toFixed(1)} ms (queue, worker, output put + read back); load ${load()}`,
      );
    }
    console.log(
      `S3 store overhead per cell against the directory store: ${(medians.s3 - medians.directory).toFixed(1)} ms (p50 difference); store ops alone: put +${(opsMs.s3[0] - opsMs.directory[0]).toFixed(1)} ms, get +${(opsMs.s3[2] - opsMs.directory[2]).toFixed(1)} ms`,
    );
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    redis.stop();
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
