/**
 * Distributed sweeps on real parts: a real redis-server on 127.0.0.1, workers as separate `clusterbench worker`
 * processes, cells in child processes, inputs and outputs through a directory store.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
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
  assert.ok(redisAvailable(), 'redis-server is not installed (.ci/run installs Debian\'s redis-server)');
  redis = await startRedis(password);
});
after(() => redis?.stop());

interface WorkerProc { proc: ChildProcess; label: string; log: string[] }

function startWorker(store: string, prefix: string, label: string, lockMs = 1500): Promise<WorkerProc> {
  const proc = spawn(process.execPath, [cli, 'worker', '--queue', redis.url, '--store', store, '--prefix', prefix, '--label', label, '--lock-ms', String(lockMs)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const w: WorkerProc = { proc, label, log: [] };
  return new Promise((resolve, reject) => {
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => {
      for (const line of s.split('\n').filter(Boolean)) {
        w.log.push(line);
        if (/ worker .* cell\(s\) at a time/.test(line)) resolve(w);
      }
    });
    proc.once('exit', (code) => reject(new Error(`worker ${label} exited with ${code}: ${w.log.join('\n')}`)));
  });
}

const stopAll = (ws: WorkerProc[]): void => { for (const w of ws) w.proc.kill('SIGKILL'); };
const cellKey = (r: RunResults['records'][number]): string => `${r.scale} ${r.stage}/${r.method} r${r.repeat}`;
const started = (ws: WorkerProc[]): number => ws.reduce((a, w) => a + w.log.filter((l) => / started$/.test(l)).length, 0);

test('a sweep through the queue on three labelled workers equals the same sweep run locally', async () => {
  const dir = tempDir();
  const profile = writeProfile(tinyPipelineYaml({ name: 'dist', seed: 3, scales: [150, 300] }), dir);
  const local = await sweepCommand({ profile, out: join(dir, 'local'), quiet: true });
  const store = join(dir, 'store');
  const workers = await Promise.all(['kind-a', 'kind-b', 'kind-c'].map((l) => startWorker(store, 'eq', l)));
  try {
    const remote = await sweepCommand({ profile, out: join(dir, 'remote'), quiet: true, queue: redis.url, store, queuePrefix: 'eq' });
    const a = local.results;
    const b = remote.results;
    assert.deepEqual(b.records.map(cellKey).sort(), a.records.map(cellKey).sort());
    assert.deepEqual(b.records.map((r) => r.status), a.records.map((r) => r.status));
    for (const [i, s] of a.scales.entries()) {
      assert.equal(b.scales[i].scale, s.scale);
      assert.equal(b.scales[i].quality.ari, s.quality.ari, `ARI at n=${s.scale}`);
      assert.equal(b.scales[i].quality.nmi, s.quality.nmi, `NMI at n=${s.scale}`);
      assert.equal(b.scales[i].quality.clusterCount, s.quality.clusterCount);
    }
    for (const r of b.records) assert.ok(r.worker && ['kind-a', 'kind-b', 'kind-c'].includes(r.worker.label), `${cellKey(r)} names its worker`);
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
  const profile = writeProfile(`
name: kill
seed: 5
scales: [100, 200]
stages:
  - { stage: probe, method: linear, options: { workPerItem: 10000000 } }
  - { stage: probe, method: quadratic, options: { workPerItem: 1 } }
`, dir);
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
    const run = sweepCommand({ profile, out: join(dir, 'runs'), quiet: true, queue: redis.url, store, queuePrefix: 'kill' });
    await killed;
    const { results } = await run;
    const keys = results.records.map(cellKey);
    assert.equal(keys.length, 4);
    assert.equal(new Set(keys).size, 4, 'exactly one record per cell');
    assert.ok(results.records.every((r) => r.status === 'ok'), results.records.map((r) => `${cellKey(r)} ${r.status} ${r.reason ?? ''}`).join('\n'));
    assert.ok(results.records.some((r) => r.worker?.label === 'survivor' && r.worker.attempts >= 1));
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
    const [first, second] = await Promise.all([sweepCommand({ ...opts, out: join(dir, 'a') }), sweepCommand({ ...opts, out: join(dir, 'b') })]);
    assert.equal(started(workers), 3, `three cells, each run once:\n${workers.flatMap((w) => w.log).join('\n')}`);
    const third = await sweepCommand({ ...opts, out: join(dir, 'c') });
    assert.equal(started(workers), 3, 'a third enqueue re-uses the finished jobs');
    for (const r of [second.results, third.results]) assert.deepEqual(r.scales[0].quality, first.results.scales[0].quality);
  } finally {
    stopAll(workers);
  }
});
