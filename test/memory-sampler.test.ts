import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRssSampler } from '../harness/workers/memory-sampler.js';
import { runStageOnce } from '../harness/sweep/stage-run.js';
import { createStagePool } from '../harness/workers/worker-pool.js';
import { validateProfile } from '../harness/profile/profile-loader.js';

test('the RSS timeline has one point per interval plus start and end; interval 0 gives start and end only', async () => {
  const s = startRssSampler(20);
  await sleep(400);
  const { timeline, peakRss } = s.stop();
  // 400 / 20 = 20 ticks + 2; timers never fire early, and on a busy machine some ticks are late.
  assert.ok(timeline.length >= 10 && timeline.length <= 22, `got ${timeline.length} points`);
  assert.ok(timeline.every((p, i) => i === 0 || p.tMs >= timeline[i - 1].tMs));
  assert.equal(peakRss, Math.max(...timeline.map((p) => p.rss)));
  const off = startRssSampler(0);
  await sleep(100);
  assert.equal(off.stop().timeline.length, 2);
});

test('a stage in a real worker gets an RSS timeline sized by its wall time, and worker heap samples', async () => {
  const profile = await validateProfile(
    {
      name: 's',
      scales: [3000],
      stages: [{ stage: 'probe', method: 'quadratic', options: { workPerItem: 40 } }],
      sampling: { intervalMs: 10 },
    },
    'test',
  );
  const pool = createStagePool(profile.stages[0], profile);
  try {
    const { record } = await runStageOnce(pool, profile.stages[0], profile, { n: 3000 }, 3000, 0);
    assert.equal(record.status, 'ok');
    const expected = record.wallMs / 10;
    assert.ok(record.wallMs > 100, `stage too short to judge (${record.wallMs} ms)`);
    assert.ok(
      record.rssTimeline.length >= expected * 0.4 && record.rssTimeline.length <= expected + 3,
      `${record.rssTimeline.length} points for ${record.wallMs.toFixed(0)} ms at 10 ms`,
    );
    assert.ok(record.workerMemory.length >= 2 && record.workerMemory[0].label === 'start');
    assert.ok(record.gc !== undefined && record.eventLoopUtilization !== undefined && record.cpuUserMs > 0);
    const off = { ...profile, sampling: { intervalMs: 0 } };
    const { record: quiet } = await runStageOnce(pool, profile.stages[0], off, { n: 3000 }, 3000, 0);
    assert.equal(quiet.rssTimeline.length, 2, 'sampling off: start and end readings only');
  } finally {
    await pool.destroy();
  }
});
