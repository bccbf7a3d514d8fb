/** The 95% t table against published two-sided critical values, between rows and at infinity. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tQuantile95 } from '../../harness/analysis/t-quantile-95.js';

test('tQuantile95 matches the published values and interpolates between rows', () => {
  const published: [number, number][] = [
    [1, 12.706],
    [2, 4.303],
    [5, 2.571],
    [10, 2.228],
    [30, 2.042],
    [50, 2.009],
    [100, 1.984],
    [1000, 1.962],
    [Infinity, 1.96],
  ];
  for (const [df, t] of published)
    assert.ok(Math.abs(tQuantile95(df) - t) < 1e-3, `df ${df}: ${tQuantile95(df)} vs ${t}`);
  const dfs = [1, 2, 3, 10, 29, 30, 31, 45, 90, 500, 1e6];
  for (let i = 1; i < dfs.length; i++) assert.ok(tQuantile95(dfs[i]) < tQuantile95(dfs[i - 1]), 'decreasing in df');
  assert.throws(() => tQuantile95(0), /df must be >= 1/);
});
