import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapMedianCi,
  modifiedZScores,
  repeatStatsSection,
  sampleStats,
} from '../../harness/analysis/repeat-statistics.js';
import type { RunResults, StageRecord } from '../../harness/types.js';

const opts = { resamples: 2000, seed: 5, outlierZ: 3.5 };

test('median, min, max and MAD on a fixture', () => {
  const s = sampleStats([1, 2, 3, 4, 5, 6, 7, 8, 9], opts);
  assert.equal(s.median, 5);
  assert.equal(s.min, 1);
  assert.equal(s.max, 9);
  assert.equal(s.mad, 2, 'median of |x - 5| = median(4,3,2,1,0,1,2,3,4) = 2');
  assert.deepEqual(s.outliers, []);
});

test('the bootstrap CI of the median contains the median, is seeded, and narrows with more data', () => {
  const xs = [101, 99, 104, 97, 100, 103, 98, 102, 96, 105, 100];
  const s = sampleStats(xs, opts);
  assert.ok(s.ci95[0] <= s.median && s.median <= s.ci95[1], `${s.ci95.join(',')} vs ${s.median}`);
  assert.ok(s.ci95[0] >= 96 && s.ci95[1] <= 105);
  assert.deepEqual(bootstrapMedianCi(xs, { resamples: 2000, seed: 5 }), s.ci95, 'same seed, same interval');
  const wide = [...xs, ...xs, ...xs, ...xs];
  const w = bootstrapMedianCi(wide, { resamples: 2000, seed: 5 });
  assert.ok(w[1] - w[0] <= s.ci95[1] - s.ci95[0], `${w.join(',')} should be no wider than ${s.ci95.join(',')}`);
  assert.deepEqual(bootstrapMedianCi([7], { resamples: 100, seed: 1 }), [7, 7]);
});

test('a slow repeat is flagged by the modified z-score; ordinary spread is not', () => {
  const xs = [10, 11, 12, 13, 100];
  const z = modifiedZScores(xs);
  assert.ok(Math.abs(z[4] - (0.6745 * 88) / 1) < 1e-9, `z = ${z[4]}`);
  assert.deepEqual(sampleStats(xs, opts).outliers, [4]);
  assert.deepEqual(sampleStats([10, 11, 12, 13, 14], opts).outliers, []);
  assert.deepEqual(sampleStats([5, 5, 5, 9], opts).outliers, [3], 'MAD 0: a value off the median is an outlier');
});

test('repeatStatsSection groups records by cell and skips failed repeats', () => {
  const rec = (scale: number, repeat: number, wallMs: number, status: StageRecord['status'] = 'ok'): StageRecord => ({
    scale,
    stage: 'probe',
    method: 'linear',
    repeat,
    status,
    items: scale,
    wallMs,
    cpuUserMs: wallMs,
    cpuSystemMs: 0,
    peakRssBytes: 1e8,
    baselineRssBytes: 9e7,
    peakHeapUsedBytes: 1e6,
    peakArrayBuffersBytes: 0,
    itemsPerSec: 1,
    rssTimeline: [],
    workerMemory: [],
    counters: {},
    observations: {},
  });
  const r = {
    records: [rec(100, 0, 10), rec(100, 1, 12), rec(100, 2, 11), rec(200, 0, 20), rec(200, 1, 0, 'timeout')],
    profile: { seed: 1, repeats: 3, warmup: 1 },
  } as unknown as RunResults;
  const s = repeatStatsSection(r);
  assert.equal(s.cells.length, 2);
  assert.equal(s.cells[0].wallMs.median, 11);
  assert.equal(s.cells[1].repeats, 1);
  assert.equal(s.warmup, 1);
});
