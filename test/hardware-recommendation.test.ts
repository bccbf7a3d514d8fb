import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hardwareSection } from '../harness/analysis/hardware-recommendation.js';
import { renderHardwareCsv, renderHardwareMarkdown } from '../reports/hardware-table.js';
import { scalingSection } from '../harness/analysis/scaling-law-fit.js';
import type { RunResults, StageRecord, StorageSection, WorkerScalingSection } from '../harness/types.js';
import { profileSchema } from '../harness/profile/profile-schema.js';

const GB = 2 ** 30;

function rec(stage: 'embed' | 'cluster', scale: number, repeat: number, msPerItem: number): StageRecord {
  const wallMs = msPerItem * scale * (1 + 0.01 * repeat);
  return {
    scale, stage, method: stage === 'embed' ? 'hashing' : 'kmeans', repeat, status: 'ok', items: scale, wallMs, cpuUserMs: wallMs, cpuSystemMs: 0,
    peakRssBytes: 0.2 * GB + scale * 4000, baselineRssBytes: 0.2 * GB, peakHeapUsedBytes: scale * 1000, peakArrayBuffersBytes: scale * 1000, itemsPerSec: 1000 / msPerItem,
    rssTimeline: [], workerMemory: [{ tMs: 0, heapUsed: 4e6, heapTotal: 8e6, external: 0, arrayBuffers: 0 }, { tMs: 1, heapUsed: 4e6 + scale * 1000, heapTotal: 8e6, external: 0, arrayBuffers: scale * 1000 }],
    counters: {}, observations: {},
  };
}

function fixture(withSections: boolean): RunResults {
  const scales = [1000, 4000, 16000];
  const records = scales.flatMap((s) => [0, 1, 2].flatMap((r) => [rec('embed', s, r, 0.05), rec('cluster', s, r, 0.2)]));
  const storage: StorageSection = {
    codecs: {}, scales: scales.map((s) => ({ scale: s, components: [], totals: [{ format: 'arrow-zstd', bytes: s * 3000, bytesPerConversation: 3000 }, { format: 'jsonl', bytes: s * 9000, bytesPerConversation: 9000 }] })),
    projections: [1_000_000, 10_000_000].map((s) => ({ format: 'arrow-zstd', scale: s, bytes: s * 3000, bytesPerConversation: 3000, extrapolated: true, fittedOn: scales })),
  };
  const workerScaling: WorkerScalingSection = {
    cores: 2,
    stages: [{ stage: 'embed', method: 'hashing', scale: 16000, splittable: true, bestSpeedup: 1.8, bestWorkers: 2, points: [] }],
  };
  return {
    schemaVersion: 1, id: 'fixture', tool: { name: 'clusterbench', version: 't' }, startedAt: '', finishedAt: '',
    machine: { hostname: 'h', platform: 'linux', arch: 'x64', cpuModel: 'Test CPU', cores: 2, totalMemBytes: 24 * GB, nodeVersion: 'v20', v8Version: '11', gitCommit: null, gitDirty: null },
    profilePath: 'p', profile: profileSchema.parse({ name: 'fixture', scales, stages: [{ stage: 'cluster', method: 'kmeans' }], seed: 1, repeats: 3, warmup: 0, scaling: { safetyFactor: 2 } }), records, scales: [],
    breakingPoints: [{ stage: 'cluster', method: 'kmeans', kind: 'oom', lastPassingScale: 16000, firstFailingScale: 64000, reason: 'x' }],
    sections: withSections ? { storage, workerScaling } : {},
  };
}

test('hardware table: measured, extrapolated and unknown cells, with the machine and the breaking point', () => {
  const r = fixture(true);
  const h = hardwareSection(r, scalingSection(r));
  assert.equal(h.machine.startsWith('Test CPU, 2 cores'), true);
  assert.deepEqual(h.rows.map((x) => x.scale), [1000, 10_000, 100_000, 1_000_000, 10_000_000]);
  const [r1k, r10k, , r1m, r10m] = h.rows;
  assert.equal(r1k.ramBytes.basis, 'measured');
  assert.ok(Math.abs(r1k.ramBytes.value! - 2 * (0.2 * GB + 1000 * 4000)) < 1, 'RAM = measured peak RSS x safety factor 2');
  assert.equal(r10k.ramBytes.basis, 'interpolated');
  assert.equal(r10m.ramBytes.basis, 'extrapolated');
  assert.ok(r10m.ramBytes.value! > r1m.ramBytes.value!, 'RAM grows with n');
  // Time: both stages are exactly linear, so 10M conversations take 0.25 ms x 1e7 (within the repeats' 1% spread).
  assert.ok(Math.abs(r10m.timeMs.value! / (0.25 * 1e7) - 1) < 0.03, `time ${r10m.timeMs.value}`);
  assert.ok(r10m.timeMs.low! < r10m.timeMs.value! && r10m.timeMs.value! < r10m.timeMs.high!);
  assert.equal(r1m.diskBytes.value, 3000 * 1e6);
  assert.equal(r1m.diskBytes.basis, 'extrapolated');
  assert.equal(r1k.diskBytes.basis, 'measured');
  assert.equal(h.diskFormat, 'arrow-zstd');
  assert.equal(r10k.cores.value, 2);
  assert.deepEqual(r10k.beyondBreakingPoints, []);
  assert.match(r1m.beyondBreakingPoints[0], /cluster\/kmeans \(oom from n=64000\)/);
  assert.equal(r1k.costUsd.basis, 'unknown');
  const md = renderHardwareMarkdown(h).join('\n');
  assert.match(md, /Measured on: Test CPU/);
  assert.match(md, /\| 10,000,000 \| [\d.]+ (MiB|GiB|TiB) \([^)]*\) \*extrapolated\*/);
  const csv = renderHardwareCsv(h).trim().split('\n');
  assert.equal(csv.length, 6);
  assert.match(csv[0], /^scale,ram_bytes,ram_low,ram_high,ram_basis,cores/);
  assert.match(csv[5], /^10000000,/);
});

test('hardware table without storage or worker scaling marks those cells unknown', () => {
  const r = fixture(false);
  const h = hardwareSection(r, scalingSection(r));
  for (const row of h.rows) {
    assert.equal(row.diskBytes.basis, 'unknown');
    assert.equal(row.cores.basis, 'unknown');
    assert.equal(row.diskBytes.value, null);
  }
  assert.match(renderHardwareMarkdown(h).join('\n'), /Unknown cells: .*no worker-scaling section.*no storage section/);
});
