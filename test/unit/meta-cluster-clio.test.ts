import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClioHierarchy, clioMetaClusterer } from '../../pipeline/stages/meta-cluster/clio.js';
import type { Matrix, PipelineData, RunResults, StageContext } from '../../harness/types.js';
import { stageWarningLines } from '../../reports/stage-warnings-markdown.js';
import { mulberry32 } from '../../pipeline/support/seeded-random.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';

const opts = { targetTop: 5, maxLevels: 4, branching: 3, seed: 1 };

function checkShape(h: { parents: Int32Array[]; levelSizes: number[] }, maxLevels: number): void {
  assert.ok(h.parents.length <= maxLevels, `depth ${h.parents.length} > ${maxLevels}`);
  assert.equal(h.levelSizes.length, h.parents.length + 1);
  for (let l = 0; l < h.parents.length; l++) {
    assert.ok(h.levelSizes[l + 1] < h.levelSizes[l], `level ${l + 1} did not shrink: ${h.levelSizes.join(',')}`);
    const seen = new Set(h.parents[l]);
    assert.equal(seen.size, h.levelSizes[l + 1]);
    for (const p of h.parents[l]) assert.ok(p >= 0 && p < h.levelSizes[l + 1]);
  }
}

function ctx(): StageContext & { counters: Record<string, number> } {
  const counters: Record<string, number> = {};
  return {
    seed: 3,
    counters,
    sample() {},
    observe() {},
    count: (k, v = 1) => void (counters[k] = (counters[k] ?? 0) + v),
  };
}

test('terminates on adversarial input: all centroids identical', () => {
  const m = 400;
  const c: Matrix = { rows: m, cols: 8, data: new Float32Array(m * 8).fill(0.5) };
  const h = buildClioHierarchy(c, new Array(m).fill(3), opts);
  checkShape(h, opts.maxLevels);
  assert.equal(h.levelSizes[h.levelSizes.length - 1], 1, 'identical centroids collapse to one parent');
});

test('terminates on one cluster and on two clusters', () => {
  const one = buildClioHierarchy({ rows: 1, cols: 3, data: Float32Array.from([1, 2, 3]) }, [10], {
    ...opts,
    targetTop: 1,
  });
  assert.deepEqual(one.levelSizes, [1]);
  assert.equal(one.parents.length, 0);
  const two = buildClioHierarchy({ rows: 2, cols: 2, data: Float32Array.from([0, 0, 5, 5]) }, [4, 4], {
    ...opts,
    targetTop: 1,
  });
  checkShape(two, opts.maxLevels);
  assert.deepEqual(two.levelSizes, [2, 1]);
  assert.deepEqual([...two.parents[0]], [0, 0]);
});

test('stays within maxLevels even when the schedule asks for more, and shrinks geometrically', () => {
  const r = mulberry32(7);
  const m = 3000;
  const c: Matrix = { rows: m, cols: 4, data: Float32Array.from({ length: m * 4 }, () => r()) };
  const h = buildClioHierarchy(c, new Array(m).fill(1), { targetTop: 2, maxLevels: 3, branching: 1.5, seed: 2 });
  checkShape(h, 3);
  assert.equal(h.parents.length, 3);
  assert.ok(h.levelSizes[1] < 3000 && h.levelSizes[1] > 100, h.levelSizes.join(','));
  assert.ok(h.levelSizes[3] <= 10, h.levelSizes.join(','));
});

test('the stage maps original label ids (with noise and gaps) and records the depth', () => {
  const labels = Int32Array.from([-1, 0, 0, 2, 2, 5, 5, 7, 7]);
  const data = Float32Array.from([99, 0, 0.1, 1, 1.1, 10, 10.1, 11, 11.1]);
  const input: PipelineData = { n: 9, labels, embeddings: { rows: 9, cols: 1, data } };
  const c = ctx();
  const o = parseStageOptions(clioMetaClusterer, { targetTop: 2, maxLevels: 3 });
  const out = clioMetaClusterer.run(input, o, c) as PipelineData;
  const h = out.hierarchy!;
  assert.equal(c.counters.depth, h.length);
  assert.equal(h.length, 1);
  assert.equal(h[0].length, 8, 'indexed by label id 0..7');
  assert.equal(h[0][1], -1, 'absent label id');
  assert.equal(h[0][0], h[0][2], '0 and 2 are close');
  assert.equal(h[0][5], h[0][7], '5 and 7 are close');
  assert.notEqual(h[0][0], h[0][5]);
  assert.throws(() => parseStageOptions(clioMetaClusterer, { maxLevels: 0 }), /maxLevels: must be an integer in 1..20/);
});

test('a hierarchy that would be a no-op is counted as warning.noHierarchy and shown on the report', async () => {
  const labels = Int32Array.from([0, 0, 1, 1, 2, 2]);
  const input: PipelineData = {
    n: 6,
    labels,
    embeddings: { rows: 6, cols: 1, data: Float32Array.from([0, 0.1, 5, 5.1, 9, 9.1]) },
  };
  const noop = ctx();
  assert.deepEqual(clioMetaClusterer.run(input, parseStageOptions(clioMetaClusterer, { targetTop: 10 }), noop), {
    hierarchy: [],
  });
  assert.equal(noop.counters['warning.noHierarchy'], 1, '3 clusters under a target of 10: warned, not silent');
  const auto = ctx();
  await clioMetaClusterer.run(
    { ...input, labels: Int32Array.from([0, 1, 2, 3, 4, 5]) },
    parseStageOptions(clioMetaClusterer, {}),
    auto,
  );
  assert.equal(auto.counters['warning.noHierarchy'], undefined, 'auto target adapts: 6 clusters get a level of 2');
  assert.equal(auto.counters.depth, 1);
  const rec = {
    repeat: 0,
    scale: 300,
    stage: 'meta-cluster',
    method: 'clio',
    counters: { 'warning.noHierarchy': 1, depth: 0 },
  };
  const lines = stageWarningLines({
    records: [rec, { ...rec, scale: 1200 }, { ...rec, repeat: 1 }],
  } as unknown as RunResults);
  assert.deepEqual(lines.slice(0, 2), ['## Stage warnings', '']);
  assert.match(
    lines[2],
    /^- ⚠ \*\*meta-cluster\/clio\*\* `noHierarchy` at n = 300, 1,200: no hierarchy level was built/,
  );
});
