import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import type { ClusterRow, RunResults } from '../harness/types.js';
import { firstUserTurn } from '../harness/sweep/cluster-topics.js';
import { readResults } from '../harness/sweep/run-directory.js';
import { tempDir, writeProfile } from './test-helpers.js';

test('firstUserTurn takes the first user line, collapses whitespace and truncates', () => {
  assert.equal(
    firstUserTurn('system: be brief\nuser:  how   do I\tboil an egg?\nassistant: boil it\nuser: thanks'),
    'how do I boil an egg?',
  );
  assert.equal(firstUserTurn(`user: ${'x'.repeat(300)}`, 20), `${'x'.repeat(19)}…`);
  assert.equal(firstUserTurn('no roles here'), 'no roles here');
});

test('a small real sweep writes clusters/<scale>.jsonl, sections.topics and a topics table with a tree', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: topics
seed: 5
scales: [150, 480]
input: { kind: synthetic, options: { difficulty: 0, intents: 8, languages: [en], zipf: 0, multiIntentRate: 0 } }
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: tfidf }
  - { stage: cluster, method: kmeans, options: { k: 16 } }
  - { stage: meta-cluster, method: clio, options: { targetTop: 2, branching: 3 } }
  - { stage: label, method: ctfidf }
  - { stage: project, method: umap, options: { nEpochs: 30 } }
`,
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const results: RunResults = readResults(runDir);
  for (const scale of [150, 480]) {
    const file = join(runDir, 'clusters', `${scale}.jsonl`);
    assert.ok(existsSync(file), file);
    assert.deepEqual(
      readdirSync(join(runDir, 'clusters')).filter((f) => f.includes('.tmp')),
      [],
      'no temp file left: written atomically',
    );
    const rows = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ClusterRow);
    assert.equal(rows.length, scale);
    assert.deepEqual(
      rows.map((r) => r.row),
      [...Array(scale).keys()],
    );
    assert.equal(new Set(rows.map((r) => r.conversationId)).size, scale, 'ids are unique');
    assert.match(rows[0].conversationId, /^syn-5-\d+$/);
    for (const r of rows) {
      assert.equal(r.path[0], r.cluster);
      assert.ok(r.path.length >= 2, `row ${r.row} has a parent topic: ${JSON.stringify(r.path)}`);
      assert.ok(r.topic && r.terms && r.terms.length > 0 && r.intent, JSON.stringify(r));
    }
  }
  const sec = results.sections.topics;
  assert.ok(sec, 'sections.topics present');
  assert.equal(sec.scale, 480);
  assert.equal(
    sec.topics.reduce((a, t) => a + t.size, 0),
    480,
    'topic sizes add up to the scale',
  );
  assert.ok(sec.clusters >= 8 && sec.clusters <= 16, `clusters ${sec.clusters}`);
  assert.deepEqual(
    sec.files.map((f) => f.file),
    ['clusters/150.jsonl', 'clusters/480.jsonl'],
  );
  for (const t of sec.topics) {
    assert.ok(
      t.examples.length >= 1 && t.examples.length <= 3 && t.terms.length > 0 && t.parent !== undefined,
      JSON.stringify(t),
    );
    assert.ok(
      t.topIntent && t.topIntent.fraction > 0.5,
      `easy data: each topic mostly one intent (${JSON.stringify(t.topIntent)})`,
    );
  }
  const top = sec.parents.filter((p) => p.level === Math.max(...sec.parents.map((q) => q.level)));
  assert.equal(
    top.reduce((a, p) => a + p.size, 0),
    480,
    'the top level covers every conversation',
  );
  assert.ok(
    results.sections.clusterMap?.points.every((p) => typeof p.topic === 'string' && p.topic.length > 0),
    'map points carry the cluster name',
  );
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  assert.match(md, /## Topics at n = 480/);
  assert.match(md, /\| id \| topic \| terms \| size \| share \| examples \| parent topic \| top true intent \|/);
  assert.match(md, /### Topic hierarchy\n\n- \*\*/);
  assert.match(md, /\n {2}- \*\*.+\(level 1/, 'level-1 parents nested under the top');
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.match(html, /<h2[^>]*>Topics at n = 480<\/h2>/);
  assert.match(html, /<ul>\s*<li><strong>[^<]+<\/strong> \(level \d/, 'hierarchy as a nested list (tree)');
  assert.match(html, /<title>cluster \d+ \([^)]+\)/, 'map hover shows the cluster name');
  // The first screen, in order: what ran, stages at the largest scale, breaking points, topics, the map; hardware after.
  const order = [
    '- **Ran:** profile `topics` at n = 150, 480',
    '## Stages at the largest scale (n = 480)',
    'No breaking points',
    '## Topics at n = 480',
    '## Hardware recommendation',
    '## Per scale',
  ];
  const at = order.map((s) => md.indexOf(s));
  assert.ok(
    at.every((x, i) => x >= 0 && (i === 0 || x > at[i - 1])),
    `report.md order ${JSON.stringify(at)}`,
  );
  assert.match(md, /Repeat statistics omitted: one repeat per cell/);
  assert.doesNotMatch(md, /## Repeats and statistics/);
  const h = ['Topics at n = 480', 'id="chart-cluster-map"', 'id="chart-time-vs-scale"', 'Hardware recommendation'].map(
    (s) => html.indexOf(s),
  );
  assert.ok(
    h.every((x, i) => x >= 0 && (i === 0 || x > h[i - 1])),
    `report.html order ${JSON.stringify(h)}`,
  );
  assert.doesNotMatch(html, /title: 'MB'|>MB</, 'memory axes say MiB');
});
