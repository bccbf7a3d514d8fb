/**
 * Distributed sweeps on real parts: a real redis-server on 127.0.0.1, workers as separate `clusterbench worker`
 * processes, cells in child processes, inputs and outputs through a directory store.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweepCommand } from '../../harness/commands/sweep-command.js';
import type { RunResults } from '../../harness/types.js';
import { tempDir, tinyPipelineYaml, writeProfile } from '../test-helpers.js';
import { startRedis, redisAvailable } from './redis-fixture.js';

const cli = fileURLToPath(new URL('../../harness/cli.js', import.meta.url));
let redis: Awaited<ReturnType<typeof startRedis>>;
const password = 'pw-never-in-results';

before(async () => {
  assert.ok(redisAvailable(), "redis-server is not installed (.ci/run installs Debian's redis-server)");
  redis = await startRedis(password);
});
after(() => redis?.stop());

interface WorkerProc {
  proc: ChildProcess;
  label: string;
  log: string[];
}

function startWorker(store: string, prefix: string, label: string, lockMs = 1500): Promise<WorkerProc> {
  const proc = spawn(
    process.execPath,
    [
      cli,
      'worker',
      '--queue',
      redis.url,
      '--store',
      store,
      '--prefix',
      prefix,
      '--label',
      label,
      '--lock-ms',
      String(lockMs),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const w: WorkerProc = { proc, label, log: [] };
  return new Promise((resolve, reject) => {
    proc.stderr.setEncoding('utf8').on('data', (s: string) => {
      for (const line of s.split('\n').filter(Boolean)) {
        w.log.push(line);
        if (/ worker .* cell\(s\) at a time/.test(line)) resolve(w);
      }
    });
    proc.once('exit', (code) => reject(new Error(`worker ${label} exited with ${code}: ${w.log.join('\n')}`)));
  });
}

const stopAll = (ws: WorkerProc[]): void => {
  for (const w of ws) w.proc.kill('SIGKILL');
};
const cellKey = (r: RunResults['records'][number]): string => `${r.scale} ${r.stage}/${r.method} r${r.repeat}`;
const started = (ws: WorkerProc[]): number =>
  ws.reduce((a, w) => a + w.log.filter((l) => / started$/.test(l)).length, 0);

test('a sweep through the queue on three labelled workers equals the same sweep run locally', async () => {
  const dir = tempDir();
  const profile = writeProfile(tinyPipelineYaml({ name: 'dist', seed: 3, scales: [150, 300] }), dir);
  const local = await sweepCommand({ profile, out: join(dir, 'local'), quiet: true });
  const store = join(dir, 'store');
  const workers = await Promise.all(['kind-a', 'kind-b', 'kind-c'].map((l) => startWorker(store, 'eq', l)));
  try {
    const remote = await sweepCommand({
      profile,
      out: join(dir, 'remote'),
      quiet: true,
      queue: redis.url,
      store,
      queuePrefix: 'eq',
    });
    const a = local.results;
    const b = remote.results;
    assert.deepEqual(b.records.map(cellKey).sort(), a.records.map(cellKey).sort());
    assert.deepEqual(
      b.records.map((r) => r.status),
      a.records.map((r) => r.status),
    );
    for (const [i, s] of a.scales.entries()) {
      assert.equal(b.scales[i].scale, s.scale);
      assert.equal(b.scales[i].quality.ari, s.quality.ari, `ARI at n=${s.scale}`);
      assert.equal(b.scales[i].quality.nmi, s.quality.nmi, `NMI at n=${s.scale}`);
      assert.equal(b.scales[i].quality.clusterCount, s.quality.clusterCount);
    }
    for (const r of b.records)
      assert.ok(r.worker && ['kind-a', 'kind-b', 'kind-c'].includes(r.worker.label), `${cellKey(r)} names its worker`);
    const section = b.sections.workers!;
    assert.ok(Object.keys(section.machines).length >= 1);
    assert.ok(!JSON.stringify(b).includes(password), 'the Redis password is not in results.json');
    assert.match(section.queue, /\*\*\*/);
  } finally {
    stopAll(workers);
  }
});

test('a worker killed with SIGKILL mid-cell: the cell runs again elsewhere and the run has one record per cell', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: kill
seed: 5
scales: [100, 200]
stages:
  - { stage: probe, method: linear, options: { workPerItem: 2000000 } }
  - { stage: probe, method: quadratic, options: { workPerItem: 1 } }
`,
    dir,
  );
  const store = join(dir, 'store');
  const victim = await startWorker(store, 'kill', 'victim');
  const survivor = await startWorker(store, 'kill', 'survivor');
  try {
    const killed = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (victim.log.some((l) => / started$/.test(l))) {
          clearInterval(timer);
          victim.proc.kill('SIGKILL');
          resolve();
        }
      }, 20);
    });
    const run = sweepCommand({
      profile,
      out: join(dir, 'runs'),
      quiet: true,
      queue: redis.url,
      store,
      queuePrefix: 'kill',
    });
    await killed;
    const { results } = await run;
    const keys = results.records.map(cellKey);
    assert.equal(keys.length, 4);
    assert.equal(new Set(keys).size, 4, 'exactly one record per cell');
    assert.ok(
      results.records.every((r) => r.status === 'ok'),
      results.records.map((r) => `${cellKey(r)} ${r.status} ${r.reason ?? ''}`).join('\n'),
    );
    assert.ok(results.records.some((r) => r.worker?.label === 'survivor' && r.worker.attempts >= 1));
    // The cell the victim was killed in was run again by the survivor (its second start of that job).
    const killedJob = / (cell-\w+) attempt \d+ started$/.exec(victim.log.find((l) => / started$/.test(l))!)![1];
    assert.ok(!victim.log.some((l) => l.includes(`${killedJob} done`)), 'the victim died before finishing its cell');
    const rerun = results.records.find((r) => r.worker?.jobId === killedJob);
    assert.equal(rerun?.worker?.label, 'survivor', `${killedJob} measured by the survivor`);
    assert.equal(rerun?.worker?.attempts, 2, "on the job's second start");
  } finally {
    stopAll([victim, survivor]);
  }
});

test('enqueueing the same sweep twice runs nothing twice', async () => {
  const dir = tempDir();
  const profile = writeProfile(tinyPipelineYaml({ name: 'twice', seed: 9, scales: [120] }), dir);
  const store = join(dir, 'store');
  const workers = await Promise.all(['w1', 'w2'].map((l) => startWorker(store, 'twice', l)));
  try {
    const opts = { profile, quiet: true, queue: redis.url, store, queuePrefix: 'twice', sweepId: 'nightly-2026-12-02' };
    const [first, second] = await Promise.all([
      sweepCommand({ ...opts, out: join(dir, 'a') }),
      sweepCommand({ ...opts, out: join(dir, 'b') }),
    ]);
    assert.equal(started(workers), 3, `three cells, each run once:\n${workers.flatMap((w) => w.log).join('\n')}`);
    const third = await sweepCommand({ ...opts, out: join(dir, 'c') });
    assert.equal(started(workers), 3, 'a third enqueue re-uses the finished jobs');
    for (const r of [second.results, third.results])
      assert.deepEqual(r.scales[0].quality, first.results.scales[0].quality);
  } finally {
    stopAll(workers);
  }
});

test('a distributed sweep whose coordinator is SIGKILLed mid-way resumes from the queue: one record per cell, equal to a local run, nothing run twice', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    tinyPipelineYaml({ name: 'resume', seed: 4, scales: [150, 300, 450], extra: 'repeats: 2\nisolation: thread' }),
    dir,
  );
  const local = await sweepCommand({ profile, out: join(dir, 'local'), quiet: true });
  const store = join(dir, 'store');
  const workers = await Promise.all(['r1', 'r2'].map((l) => startWorker(store, 'resume', l)));
  try {
    const out = join(dir, 'runs');
    const coordinator = spawn(
      process.execPath,
      [
        cli,
        'sweep',
        '--profile',
        profile,
        '--out',
        out,
        '--queue',
        redis.url,
        '--store',
        store,
        '--queue-prefix',
        'resume',
        '-q',
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => coordinator.once('exit', () => resolve()));
    // Kill it once the first two cells are in its partial results.json, while later cells are on the queue.
    let runDir = '';
    for (let i = 0; i < 3000 && !runDir; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const dirs = existsSync(out) ? readdirSync(out).filter((d) => d !== 'cells') : [];
      const file = dirs.length ? join(out, dirs[0], 'results.json') : '';
      try {
        const partial = JSON.parse(readFileSync(file, 'utf8')) as RunResults;
        if ((partial.sections.checkpoints?.cells.length ?? 0) >= 2) {
          coordinator.kill('SIGKILL');
          runDir = join(out, dirs[0]);
        }
      } catch {
        /* not written yet, or mid-rename */
      }
    }
    await exited;
    assert.ok(runDir, 'the coordinator wrote its first cells');
    const partial = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
    assert.equal(partial.sections.checkpoints!.complete, false, 'killed before the end');
    assert.equal(partial.sections.workers?.prefix, 'resume', 'the partial results.json says where the cells went');

    await assert.rejects(
      sweepCommand({ resume: runDir, quiet: true }),
      /ran its cells through the queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+.*pass --queue URL again/,
    );
    const { results } = await sweepCommand({ resume: runDir, queue: redis.url, quiet: true });
    const keys = results.records.map(cellKey);
    assert.equal(keys.length, 18, '3 scales x 3 stages x 2 repeats');
    assert.equal(new Set(keys).size, 18, 'exactly one record per cell');
    assert.deepEqual(keys.slice().sort(), local.results.records.map(cellKey).sort());
    assert.ok(
      results.records.every((r) => r.status === 'ok'),
      results.records.map((r) => `${cellKey(r)} ${r.status} ${r.reason ?? ''}`).join('\n'),
    );
    for (const [i, s] of local.results.scales.entries()) {
      assert.equal(results.scales[i].quality.ari, s.quality.ari, `ARI at n=${s.scale}`);
      assert.equal(results.scales[i].quality.clusterCount, s.quality.clusterCount);
    }
    assert.equal(
      started(workers),
      18,
      `each cell ran once, across both coordinators:\n${workers.flatMap((w) => w.log).join('\n')}`,
    );
    const section = results.sections.workers!;
    assert.deepEqual(
      section.sweepJob && { processed: section.sweepJob.processed, unprocessed: section.sweepJob.unprocessed },
      { processed: 18, unprocessed: 0 },
      "the sweep's parent job counts each cell once",
    );
    assert.equal(
      Object.values(section.cells).reduce((a, b) => a + b, 0),
      18,
      'cells per label add up over the kill',
    );
  } finally {
    stopAll(workers);
  }
});
