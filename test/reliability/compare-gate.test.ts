// Issue 13, item 9: compare as a CI gate (minimum effect, "no comparable cells" exit 3, extra arguments refused)
// and history appends that wait for the DuckDB lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo } from '../../harness/io/machine-info.js';
import { countRuns, openHistory } from '../../harness/compare/history-database.js';
import type { RunResults, StageKind, StageRecord } from '../../harness/types.js';
import { tempDir } from '../test-helpers.js';
import { runCli, startCli, waitFor } from './reliability-helpers.js';

const record = (scale: number, wallMs: number, stage: StageKind = 'cluster', method = 'kmeans'): StageRecord => ({
  scale,
  stage,
  method,
  repeat: 0,
  status: 'ok',
  items: scale,
  wallMs,
  cpuUserMs: wallMs,
  cpuSystemMs: 0,
  peakRssBytes: 200 * 2 ** 20,
  baselineRssBytes: 100 * 2 ** 20,
  peakHeapUsedBytes: 20 * 2 ** 20,
  peakArrayBuffersBytes: 0,
  itemsPerSec: scale / (wallMs / 1000),
  rssTimeline: [],
  workerMemory: [],
  counters: {},
  observations: {},
});

function saveRun(dir: string, id: string, records: StageRecord[]): string {
  const r: RunResults = {
    schemaVersion: 1,
    id,
    tool: { name: 'clusterbench', version: 'test' },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    machine: machineInfo(),
    profilePath: 'p.yaml',
    profile: { name: 'gate', stages: [{ stage: 'cluster', method: 'kmeans' }] },
    records,
    scales: [],
    breakingPoints: [],
    sections: {},
  } as unknown as RunResults;
  const d = join(dir, id);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'results.json'), JSON.stringify(r));
  return d;
}

test('item 9: a 26 -> 30 ms single-repeat cell is below the minimum effect (exit 0); 100 -> 300 ms is a regression (exit 1)', () => {
  const dir = tempDir();
  const tiny = runCli(['compare', saveRun(dir, 'a', [record(200, 26)]), saveRun(dir, 'b', [record(200, 30)])]);
  assert.equal(tiny.status, 0, tiny.stderr + tiny.stdout);
  assert.match(tiny.stdout, /below the minimum effect/);
  const real = runCli(['compare', saveRun(dir, 'c', [record(200, 100)]), saveRun(dir, 'd', [record(200, 300)])]);
  assert.equal(real.status, 1, real.stderr);
  // The floor is a flag: with --min-effect-ms 1 the tiny change is judged again.
  const strict = runCli(['compare', join(dir, 'a'), join(dir, 'b'), '--min-effect-ms', '1', '--min-effect-ratio', '0']);
  assert.equal(strict.status, 1, strict.stdout);
});

test('item 9: two runs with no cell in common exit 3 "no comparable cells", not a pass', () => {
  const dir = tempDir();
  const r = runCli(['compare', saveRun(dir, 'a', [record(200, 26)]), saveRun(dir, 'b', [record(5000, 30)])]);
  assert.equal(r.status, 3, r.stderr);
  assert.match(
    r.stderr,
    /no comparable cells: BASE and NEW have no cell in common \(only in BASE: cluster\/kmeans@200; only in NEW: cluster\/kmeans@5000\)/,
  );
});

test('item 9: compare A B C refuses the extra argument (exit 2)', () => {
  const dir = tempDir();
  const a = saveRun(dir, 'a', [record(200, 26)]);
  const r = runCli(['compare', a, a, a]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /too many arguments/);
});

test("item 9: a history append waits for another process's lock instead of failing", async () => {
  const dir = tempDir();
  const db = join(dir, 'h.duckdb');
  const run = saveRun(dir, 'r1', [record(200, 26)]);
  const holder = await openHistory(db); // this process holds DuckDB's file lock
  const child = startCli(['history', run, '--db', db]);
  let exited = false;
  void child.exit.then(() => {
    exited = true;
  });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(exited, false, `the append waits while the lock is held: ${child.stderr()}`);
  holder.close();
  assert.equal(await child.exit, 0, child.stderr());
  const after = await openHistory(db);
  try {
    assert.equal(await countRuns(after), 1);
  } finally {
    after.close();
  }
  await waitFor(() => exited);
});
