import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLeakCheck, judgeLeak } from '../harness/analysis/leak-check.js';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { createProgressReporter } from '../harness/sweep/progress-reporter.js';

test('the leak check fails probe/leak and passes probe/linear (real pool, forced GC in the worker)', async () => {
  const profile = await validateProfile(
    {
      name: 'leak',
      scales: [2000],
      stages: [
        { stage: 'probe', method: 'linear', options: { workPerItem: 50 } },
        { stage: 'probe', method: 'leak', options: { leakPerItem: 16 } },
      ],
      leakCheck: { enabled: true, runs: 5, maxGrowthMb: 1 },
    },
    'test',
  );
  const section = await runLeakCheck(profile, createProgressReporter(process.stderr, true));
  const byMethod = Object.fromEntries(section.results.map((r) => [r.method, r]));
  assert.equal(byMethod.linear.verdict, 'pass', JSON.stringify(byMethod.linear));
  assert.ok(Math.abs(byMethod.linear.growthBytes) < 2 ** 20);
  assert.equal(byMethod.leak.verdict, 'fail', JSON.stringify(byMethod.leak));
  // 2000 x 16 objects per run stay reachable: the heap after GC grows every run.
  assert.equal(byMethod.leak.heapAfterGcBytes.length, 5);
  assert.ok(byMethod.leak.slopeBytesPerRun > 500_000, `slope ${byMethod.leak.slopeBytesPerRun}`);
  assert.match(byMethod.leak.reason ?? '', /grew .* over 5 runs/);
});

test('judgeLeak compares growth with the threshold', () => {
  assert.equal(judgeLeak([100, 101, 99, 100], 10).verdict, 'pass');
  const j = judgeLeak([100, 200, 300, 400], 250);
  assert.equal(j.verdict, 'fail');
  assert.equal(j.growthBytes, 300);
  assert.equal(j.slopeBytesPerRun, 100);
});
