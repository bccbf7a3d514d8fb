import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bisectThreshold } from '../harness/sweep/breaking-point-bisection.js';
import { escalationScales } from '../harness/sweep/breaking-point-detection.js';
import { breakingPointCommand } from '../harness/commands/breaking-point-command.js';
import type { RunResults } from '../harness/types.js';
import { runProfileYaml } from './run-results-fixture.js';
import { tempDir, writeProfile } from './test-helpers.js';

test('geometric bisection brackets a known threshold within the tolerance', async () => {
  const cliff = 37_123;
  const r = await bisectThreshold(1_000, 1_000_000, { tolerance: 0.05, maxSteps: 20 }, async (n) => ({
    step: {
      scale: n,
      status: n < cliff ? 'ok' : 'oom',
      passed: n < cliff,
      wallMs: 1,
      peakRssBytes: 0,
      peakHeapUsedBytes: 0,
    },
  }));
  assert.ok(r.converged && r.relativeWidth <= 0.05, JSON.stringify(r));
  assert.ok(r.passScale < cliff && cliff <= r.failScale, `${r.passScale} < ${cliff} <= ${r.failScale}`);
  assert.ok(r.steps.length <= 8, `${r.steps.length} steps for a 1000x bracket`);
  const capped = await bisectThreshold(1_000, 1_000_000, { tolerance: 0.05, maxSteps: 3 }, async (n) => ({
    step: { scale: n, status: 'ok', passed: n < cliff, wallMs: 1, peakRssBytes: 0, peakHeapUsedBytes: 0 },
  }));
  assert.equal(capped.steps.length, 3);
  assert.equal(capped.converged, false);
  assert.match(capped.note ?? '', /step cap/);
  assert.deepEqual(escalationScales({ start: 1000, factor: 2, ceiling: 10_000 }), [1000, 2000, 4000, 8000, 10_000]);
});

test("bisection converges on probe/allocate's hard memory cliff in the real pool", async () => {
  const r = await runProfileYaml(`
name: cliff
scales: [1000, 32000]
stages:
  - { stage: probe, method: allocate, memoryMb: 48, options: { bytesPerItem: 4096 } }
`);
  assert.equal(r.breakingPoints.length, 1);
  const bp = r.breakingPoints[0];
  assert.equal(bp.kind, 'oom');
  const b = bp.bisection!;
  assert.ok(b, 'the oom was bisected');
  assert.ok(b.converged && b.relativeWidth <= 0.05, JSON.stringify({ ...b, steps: b.steps.length }));
  // ~4 KB of live heap per item against a 48 MB old space: the cliff lies near 10,000 items.
  assert.ok(b.passScale >= 4_000 && b.failScale <= 16_000, `bracket ${b.passScale}..${b.failScale}`);
  for (const s of b.steps) {
    if (s.passed) assert.ok(s.scale <= b.passScale && s.status === 'ok');
    else assert.ok(s.scale >= b.failScale && s.status === 'oom', JSON.stringify(s));
  }
  assert.deepEqual(
    r.records.map((x) => x.status),
    ['ok', 'oom'],
    'bisection runs are not sweep records',
  );
});

test('super-linear growth and a quality floor are breaking points; degraded cells keep their numbers', async () => {
  const r = await runProfileYaml(`
name: soft
scales: [1000, 2000, 4000]
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 64 } }
  - { stage: cluster, method: kmeans, options: { k: 8 } }
  - { stage: probe, method: quadratic, maxScalingExponent: 1.5, options: { workPerItem: 8 } }
breakingPoints:
  qualityFloor: { ari: 1.01 }
  minWallMs: 10
`);
  const sl = r.breakingPoints.find((b) => b.kind === 'superlinear')!;
  assert.ok(sl, JSON.stringify(r.breakingPoints));
  assert.equal(sl.stage, 'probe');
  assert.ok(sl.exponent! > 1.5 && sl.threshold === 1.5, `exponent ${sl.exponent}`);
  assert.equal(sl.bisection, undefined, 'superlinear needs two scales: not bisected');
  const deg = r.breakingPoints.filter((b) => b.kind === 'degraded');
  assert.equal(deg.length, 1, 'one degraded breaking point per stage');
  assert.equal(deg[0].stage, 'cluster');
  assert.equal(deg[0].metric, 'ari');
  assert.equal(deg[0].firstFailingScale, 1000);
  const cluster = r.records.filter((x) => x.stage === 'cluster');
  assert.deepEqual(
    cluster.map((x) => x.status),
    ['degraded', 'degraded', 'degraded'],
  );
  assert.ok(
    cluster.every((x) => x.wallMs > 0),
    'degraded cells ran and were measured',
  );
});

test('clusterbench breaking-point escalates x2 until the stage breaks, stops, bisects and writes the hardware table', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: bp
scales: [1]
stages:
  - { stage: probe, method: allocate, memoryMb: 48, options: { bytesPerItem: 4096 } }
breakingPoints:
  escalate: { start: 1000, ceiling: 1000000 }
  bisect: { tolerance: 0.1 }
`,
    dir,
  );
  const { runDir } = await breakingPointCommand({ profile, out: join(dir, 'runs'), quiet: true, stage: ['probe'] });
  const r = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  const ran = [...new Set(r.records.map((x) => x.scale))];
  assert.deepEqual(ran.slice(0, 3), [1000, 2000, 4000]);
  assert.equal(r.records[r.records.length - 1].status, 'oom', 'stops at the first failing scale');
  assert.ok(ran.length <= 6, `ran ${ran.join(', ')}`);
  const b = r.breakingPoints[0].bisection!;
  assert.ok(b.converged && b.relativeWidth <= 0.1);
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  assert.match(md, /^## Hardware recommendation/m);
  assert.match(md, /bisected bracket[\s\S]*passes [\d,]+, breaks [\d,]+/);
  assert.ok(
    md.indexOf('## Breaking points') < md.indexOf('## Hardware recommendation'),
    'first screen: breaking points before the hardware table',
  );
  assert.ok(existsSync(join(runDir, 'hardware.csv')));
  await assert.rejects(
    breakingPointCommand({ profile, out: join(dir, 'runs'), quiet: true, stage: ['cluster'] }),
    /--stage: "cluster" is not a stage/,
  );
});
