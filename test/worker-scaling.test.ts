import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWorkerScaling, workerCounts } from '../harness/analysis/worker-scaling.js';
import { runConcurrentPipelines } from '../harness/analysis/concurrent-pipelines.js';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { createProgressReporter } from '../harness/sweep/progress-reporter.js';

const quiet = createProgressReporter(process.stderr, true);
const stages = [
  { stage: 'summarise', method: 'extractive' },
  { stage: 'embed', method: 'hashing', options: { dims: 64 } },
  { stage: 'cluster', method: 'kmeans', options: { k: 6, nInit: 1 } },
];

test('worker scaling measures each chosen stage at 1..C workers with identical outputs', async () => {
  // Consecutive measured stages: each must hand live (not transferred-away) buffers to the next.
  const profile = await validateProfile(
    {
      name: 'ws',
      scales: [600],
      stages,
      workerScaling: { enabled: true, maxWorkers: 2, stages: ['summarise', 'embed', 'cluster'] },
    },
    'test',
  );
  const s = await runWorkerScaling(profile, quiet);
  assert.ok(s.cores >= 1);
  assert.deepEqual(
    s.stages.map((x) => `${x.stage}/${x.method}`),
    ['summarise/extractive', 'embed/hashing', 'cluster/kmeans'],
  );
  for (const st of s.stages) {
    assert.deepEqual(
      st.points.map((p) => p.workers),
      [1, 2],
    );
    assert.equal(st.points[0].speedup, 1);
    for (const p of st.points) assert.ok(p.wallMs > 0 && p.matchesSingleWorker, JSON.stringify(p));
    // A stage that cannot split runs as one task whatever the pool size.
    if (!st.splittable) assert.ok(st.points.every((p) => p.chunks === 1));
    else assert.equal(st.points[1].chunks, 2);
  }
  assert.equal(s.stages[1].splittable, true, 'embed/hashing splits by rows');
  assert.equal(s.stages[2].splittable, false, 'k-means looks across rows');
  assert.equal(s.stages[2].bestWorkers, 1, 'a stage that cannot split never recommends more workers');
});

test('pipelines at once reports throughput and memory per pipeline count', async () => {
  const profile = await validateProfile(
    { name: 'cp', scales: [300], stages, concurrentPipelines: { enabled: true, counts: [1, 2] } },
    'test',
  );
  const s = await runConcurrentPipelines(profile, quiet);
  assert.deepEqual(
    s.points.map((p) => p.pipelines),
    [1, 2],
  );
  for (const p of s.points) {
    assert.equal(p.failures, 0);
    assert.equal(p.scale, 300);
    assert.ok(
      p.wallMs > 0 && p.throughputPerSec > 0 && p.peakRssBytes >= p.baselineRssBytes * 0.5 && p.sumPeakHeapBytes > 0,
      JSON.stringify(p),
    );
  }
  assert.equal(s.points[0].relativeThroughput, 1);
  assert.ok(s.points[1].sumPeakHeapBytes > s.points[0].sumPeakHeapBytes, 'two pipelines hold two sets of worker heaps');
});

test('worker counts: powers of two up to the core count for splittable stages; 1 and max otherwise', () => {
  assert.deepEqual(workerCounts(1, true), [1]);
  assert.deepEqual(workerCounts(2, true), [1, 2]);
  assert.deepEqual(workerCounts(12, true), [1, 2, 4, 8, 12]);
  assert.deepEqual(workerCounts(16, true), [1, 2, 4, 8, 16]);
  assert.deepEqual(workerCounts(16, false), [1, 16]);
  assert.deepEqual(workerCounts(1, false), [1]);
});
