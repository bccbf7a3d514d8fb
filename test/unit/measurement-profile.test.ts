import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProfile } from '../../harness/profile/profile-loader.js';

const base = { name: 'x', scales: [10], stages: [{ stage: 'probe', method: 'linear' }] };

test('measurement profile keys are optional, defaulted, and bad values name their key path', async () => {
  const p = await validateProfile(
    { ...base, storage: { enabled: true }, leakCheck: { enabled: true }, sampling: { intervalMs: 0 } },
    'p.yaml',
  );
  assert.deepEqual(p.storage?.formats, ['arrow', 'arrow-lz4', 'arrow-zstd', 'jsonl', 'parquet-zstd']);
  assert.deepEqual(p.storage?.projectTo, [1_000_000, 10_000_000]);
  assert.equal(p.leakCheck?.runs, 8);
  assert.equal(p.sampling.intervalMs, 0, '0 = sampler off');
  assert.equal((await validateProfile(base, 'p.yaml')).workerScaling, undefined, 'off unless stated');
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ storage: { formats: ['arrow', 'csv'] } }, /p\.yaml: storage\.formats\[1\]: must be one of arrow, arrow-lz4/],
    [{ leakCheck: { runs: 2 } }, /p\.yaml: leakCheck\.runs: must be >= 3/],
    [{ sampling: { intervalMs: 0.5 } }, /p\.yaml: sampling\.intervalMs: must be 0 \(off\) or 1\.\.1000 ms/],
    [{ workerScaling: { maxWorkers: 0 } }, /p\.yaml: workerScaling\.maxWorkers: must be a positive integer/],
    [{ concurrentPipelines: { counts: [] } }, /p\.yaml: concurrentPipelines\.counts: must list at least one/],
  ];
  for (const [extra, re] of bad) await assert.rejects(validateProfile({ ...base, ...extra }, 'p.yaml'), re);
});
