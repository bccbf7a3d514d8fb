import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hardwareSection } from '../../harness/analysis/hardware-recommendation.js';
import { renderHardwareCsv, renderHardwareMarkdown } from '../../reports/hardware-table.js';
import { renderScalingMarkdown } from '../../reports/scaling-law-report.js';
import { scalingSection } from '../../harness/analysis/scaling-law-fit.js';
import type { RunResults, StageRecord, StorageSection, WorkerScalingSection } from '../../harness/types.js';
import { profileSchema } from '../../harness/profile/profile-schema.js';

const GB = 2 ** 30;

function rec(stage: 'embed' | 'cluster', scale: number, repeat: number, msPerItem: number): StageRecord {
  const wallMs = msPerItem * scale * (1 + 0.01 * repeat);
  return {
    scale,
    stage,
    method: stage === 'embed' ? 'hashing' : 'kmeans',
    repeat,
    status: 'ok',
    items: scale,
    wallMs,
    cpuUserMs: wallMs,
    cpuSystemMs: 0,
    peakRssBytes: 0.2 * GB + scale * 4000,
    baselineRssBytes: 0.2 * GB,
    peakHeapUsedBytes: scale * 1000,
    peakArrayBuffersBytes: scale * 1000,
    itemsPerSec: 1000 / msPerItem,
    rssTimeline: [],
    workerMemory: [
      { tMs: 0, heapUsed: 4e6, heapTotal: 8e6, external: 0, arrayBuffers: 0 },
      { tMs: 1, heapUsed: 4e6 + scale * 1000, heapTotal: 8e6, external: 0, arrayBuffers: scale * 1000 },
    ],
    counters: {},
    observations: {},
  };
}

function fixture(withSections: boolean, scales = [1000, 2000, 4000, 16000]): RunResults {
  const records = scales.flatMap((s) =>
    [0, 1, 2].flatMap((r) => [rec('embed', s, r, 0.05), rec('cluster', s, r, 0.2)]),
  );
  const storage: StorageSection = {
    codecs: {},
    scales: scales.map((s) => ({
      scale: s,
      components: [],
      totals: [
        { format: 'arrow-zstd', bytes: s * 3000, bytesPerConversation: 3000 },
        { format: 'jsonl', bytes: s * 9000, bytesPerConversation: 9000 },
      ],
    })),
    projections: [1_000_000, 10_000_000].map((s) => ({
      format: 'arrow-zstd',
      scale: s,
      bytes: s * 3000,
      bytesPerConversation: 3000,
      extrapolated: true,
      fittedOn: scales,
    })),
  };
  const workerScaling: WorkerScalingSection = {
    cores: 2,
    stages: [
      {
        stage: 'embed',
        method: 'hashing',
        scale: scales[scales.length - 1],
        splittable: true,
        bestSpeedup: 1.8,
        bestWorkers: 2,
        points: [],
      },
    ],
  };
  return {
    schemaVersion: 1,
    id: 'fixture',
    tool: { name: 'clusterbench', version: 't' },
    startedAt: '',
    finishedAt: '',
    machine: {
      hostname: 'h',
      platform: 'linux',
      arch: 'x64',
      cpuModel: 'Test CPU',
      cores: 2,
      totalMemBytes: 24 * GB,
      nodeVersion: 'v20',
      v8Version: '11',
      gitCommit: null,
      gitDirty: null,
    },
    profilePath: 'p.yaml',
    profile: profileSchema.parse({
      name: 'fixture',
      scales,
      stages: [{ stage: 'cluster', method: 'kmeans' }],
      seed: 1,
      repeats: 3,
      warmup: 0,
      scaling: { safetyFactor: 2 },
    }),
    records,
    scales: [],
    breakingPoints: [
      {
        stage: 'cluster',
        method: 'kmeans',
        kind: 'oom',
        lastPassingScale: 16000,
        firstFailingScale: 64000,
        reason: 'x',
      },
    ],
    sections: withSections ? { storage, workerScaling } : {},
  };
}

test('hardware table: measured, extrapolated, not-measured and unknown cells, with the machine and the breaking point', () => {
  const r = fixture(true);
  const h = hardwareSection(r, scalingSection(r));
  assert.equal(h.machine.startsWith('Test CPU, 2 cores'), true);
  assert.deepEqual(
    h.rows.map((x) => x.scale),
    [1000, 2000, 4000, 10_000, 16_000, 100_000, 1_000_000, 10_000_000],
    'targets and measured scales',
  );
  const row = (n: number) => h.rows.find((x) => x.scale === n)!;
  const [r1k, r10k, r100k, r1m, r10m] = [1000, 10_000, 100_000, 1_000_000, 10_000_000].map(row);
  assert.equal(r1k.ramBytes.basis, 'measured');
  assert.ok(
    Math.abs(r1k.ramBytes.value! - 2 * (0.2 * GB + 1000 * 4000)) < 1,
    'RAM = measured peak RSS x safety factor 2',
  );
  assert.equal(r10k.ramBytes.basis, 'interpolated');
  // Exactly linear: b is known to ±0.1, so RAM and time may go 625x past 16,000.
  assert.equal(r10m.ramBytes.basis, 'extrapolated');
  assert.ok(r10m.ramBytes.value! > r1m.ramBytes.value!, 'RAM grows with n');
  // Time: both stages are exactly linear, so 10M conversations take 0.25 ms x 1e7 (within the repeats' 1% spread).
  assert.ok(Math.abs(r10m.timeMs.value! / (0.25 * 1e7) - 1) < 0.03, `time ${r10m.timeMs.value}`);
  assert.ok(r10m.timeMs.low! <= r10m.timeMs.value! && r10m.timeMs.value! <= r10m.timeMs.high!);
  // Disk is linear in n but measured up to 16,000 only: 100K (6x) is extrapolated, 1M (62x) is not measured.
  assert.equal(r100k.diskBytes.value, 3000 * 1e5);
  assert.equal(r100k.diskBytes.basis, 'extrapolated');
  assert.equal(r1m.diskBytes.basis, 'not-measured');
  assert.equal(r1m.diskBytes.note, 'not measured: run a larger scale (add 100000 to scales in p.yaml)');
  assert.equal(r1k.diskBytes.basis, 'measured');
  assert.equal(h.diskFormat, 'arrow-zstd');
  assert.equal(r10k.cores.value, 2);
  assert.equal(r1m.cores.basis, 'not-measured');
  assert.deepEqual(r10k.beyondBreakingPoints, []);
  assert.match(r1m.beyondBreakingPoints[0], /cluster\/kmeans \(oom from n=64000\)/);
  assert.equal(r1k.costUsd.basis, 'unknown');
  const md = renderHardwareMarkdown(h).join('\n');
  assert.match(md, /Measured on: Test CPU/);
  assert.match(md, /\| 10,000,000 \| [\d.]+ (MiB|GiB|TiB) (\([^)]*\) )?\*extrapolated\*/);
  assert.match(md, /\| 1,000,000 \|.*not measured.*add 100000 to scales in p\.yaml/);
  const csv = renderHardwareCsv(h).trim().split('\n');
  assert.equal(csv.length, 9);
  assert.match(csv[0], /^scale,ram_bytes,ram_low,ram_high,ram_basis,cores/);
  assert.match(csv[8], /^10000000,/);
});

test("the quick profile's three scales: measured rows keep their values, nothing is projected, the profile change is named", () => {
  const r = fixture(true, [200, 1000, 5000]);
  const h = hardwareSection(r, scalingSection(r));
  assert.deepEqual(
    h.rows.map((x) => x.scale),
    [200, 1000, 5000, 10_000, 100_000, 1_000_000, 10_000_000],
  );
  for (const row of h.rows) {
    if (row.scale <= 5000)
      assert.deepEqual(
        [row.ramBytes, row.timeMs, row.diskBytes].map((c) => c.basis),
        ['measured', 'measured', 'measured'],
        `n=${row.scale}`,
      );
    else {
      assert.deepEqual(
        [row.ramBytes.value, row.timeMs.value],
        [null, null],
        `n=${row.scale}: too few scales for a fit`,
      );
      // Disk is bytes per conversation x n: within 10x of 5,000 only.
      assert.equal(row.diskBytes.basis, row.scale <= 50_000 ? 'extrapolated' : 'not-measured', `n=${row.scale}`);
      assert.match(row.timeMs.note!, /^not measured: run a larger scale \(add \d+ to scales in p\.yaml\)$/);
    }
  }
  assert.equal(
    h.rows.find((x) => x.scale === 5000)!.timeMs.value,
    0.25 * 5000 * 1.01,
    'median of the repeats, summed over stages',
  );
  assert.match(h.rows.find((x) => x.scale === 10_000)!.timeMs.note!, /add 10000 to scales/);
  assert.ok(
    !h.rows.some(
      (x) =>
        x.scale > 50_000 &&
        [x.ramBytes, x.cores, x.diskBytes, x.timeMs, x.costUsd].some((c) => c.value !== null && c.basis !== 'measured'),
    ),
    'no cell more than 10x past 5,000',
  );
});

test('a single-scale run shows its measured time, and inputs under 99% unique texts are flagged where they are projected', () => {
  const one = fixture(false, [1000]);
  const h1 = hardwareSection(one, scalingSection(one));
  assert.equal(h1.rows.find((x) => x.scale === 1000)!.timeMs.basis, 'measured');
  assert.ok(h1.rows.find((x) => x.scale === 1000)!.timeMs.value! > 0);
  const dup = fixture(false);
  dup.scales = [1000, 2000, 4000, 16000].map((scale) => ({
    scale,
    quality: {},
    input: { uniqueFraction: scale === 1000 ? 0.925 : 1 },
  }));
  const scaling = scalingSection(dup);
  assert.deepEqual(scaling.lowUniqueInputs, [{ scale: 1000, uniqueFraction: 0.925 }]);
  const md = renderHardwareMarkdown(hardwareSection(dup, scaling)).join('\n');
  assert.match(md, /⚠ input under 99% unique texts at n=1,000 \(92\.5% unique\)/);
  assert.match(md, /\| 10,000,000 \|.*⚠ projected from input under 99% unique \|/);
  assert.doesNotMatch(
    md.split('\n').find((l) => l.startsWith('| 1,000 |'))!,
    /⚠/,
    'a measured row is not a projection',
  );
  assert.match(renderScalingMarkdown(scaling).join('\n'), /⚠ input under 99% unique texts at n=1,000/);
});

test('hardware table without storage or worker scaling marks those cells unknown', () => {
  const r = fixture(false);
  const h = hardwareSection(r, scalingSection(r));
  for (const row of h.rows) {
    assert.equal(row.diskBytes.basis, 'unknown');
    assert.equal(row.cores.basis, 'unknown');
    assert.equal(row.diskBytes.value, null);
  }
  const md = renderHardwareMarkdown(h).join('\n');
  // Cores unknown in every row: the column is left out with a line saying why; the other unknown cells stay noted.
  assert.match(md, /Cores column omitted: not measured \(no worker-scaling section\)/);
  assert.match(md, /\| conversations \| RAM \| disk \| time \| API cost \| notes \|/);
  assert.match(md, /Unknown cells: .*no storage section/);
});
