/**
 * The HTML report in a real headless Chromium: a real tiny sweep whose profile turns on every producer the charts
 * read (simulated API stage with a concurrency sweep, storage accounting, a project stage for the cluster map, four
 * scales spanning 10x for the scaling fits and hardware table), rebuilt with `clusterbench report`, opened from disk. Every chart
 * must draw SVG marks, with no console error and no network request. In CI (CI=true) a missing chromium fails the
 * test with the install command; elsewhere that test is skipped with the same message (the chart specs are still
 * checked without a browser).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { reportCommand } from '../harness/commands/report-command.js';
import { readResults } from '../harness/sweep/run-directory.js';
import { reportCharts } from '../reports/report-charts.js';
import { checkReportInBrowser, chromiumMissingMessage, chromiumPath } from '../reports/browser-check.js';
import { tempDir, writeProfile } from './test-helpers.js';

const haveChromium = existsSync(chromiumPath());
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const chartIds = [
  'cluster-map',
  'concurrency',
  'memory-timeline',
  'memory-vs-scale',
  'quality-vs-scale',
  'storage',
  'time-vs-scale',
];

/** One sweep for both tests: every section comes from the module that writes it in a real run. */
let sweep: Promise<string> | undefined;
function sweptRun(): Promise<string> {
  sweep ??= (async () => {
    const dir = tempDir();
    const profile = writeProfile(
      `
name: html
seed: 5
scales: [30, 100, 200, 300]
input: { kind: synthetic, options: { difficulty: 0 } }
api:
  mode: simulated
  simulator: { ttft: fixed:2, tokensPerSec: 50000, embeddingLatency: fixed:1, rateLimits: { rpm: 60000 } }
concurrency: { levels: [1, 4], kneeThreshold: 0.1 }
storage: { enabled: true }
stages:
  - { stage: summarise, method: llm, options: { stream: true, concurrency: 4, cacheDir: ${JSON.stringify(join(dir, 'cache'))} } }
  - { stage: embed, method: hashing, options: { dims: 64 } }
  - { stage: cluster, method: kmeans, options: { k: 8, nInit: 1 } }
  - { stage: project, method: umap, options: { nEpochs: 30 } }
`,
      dir,
    );
    return (await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true })).runDir;
  })();
  return sweep;
}

test('every chart is drawn from the sections a real sweep writes (no chart skipped, each with data)', async () => {
  const r = readResults(await sweptRun());
  for (const name of [
    'scaling',
    'concurrency',
    'storage',
    'clusterMap',
    'hardware',
    'cost',
    'checkpoints',
    'apiSimulator',
  ] as const)
    assert.ok(r.sections[name], `sections.${name} written`);
  const charts = reportCharts(r);
  assert.deepEqual(
    charts.filter((c) => c.skipped).map((c) => `${c.id}: ${c.skipped}`),
    [],
  );
  assert.deepEqual(charts.map((c) => c.id).sort(), chartIds);
  const values = (spec: unknown): number => JSON.stringify(spec).match(/"values":\[\{/g)?.length ?? 0;
  for (const c of charts) assert.ok(values(c.spec) > 0, `chart ${c.id} has data`);
  const time = charts.find((c) => c.id === 'time-vs-scale')!;
  assert.match(time.caption, /fitted curves \(/, 'the scaling section feeds the fitted curves');
});

test(
  'report.html renders every chart in headless Chromium, offline, with no console errors',
  { skip: !haveChromium && !inCi ? chromiumMissingMessage(chromiumPath()) : false },
  async () => {
    assert.ok(haveChromium, chromiumMissingMessage(chromiumPath()));
    const runDir = await sweptRun();
    for (const f of [
      'report.md',
      'report.html',
      'bmf.json',
      'csv/stages.csv',
      'csv/quality.csv',
      'charts/time-vs-scale.svg',
    ])
      assert.ok(existsSync(join(runDir, f)), `${f} written by the sweep`);
    const bmf = JSON.parse(readFileSync(join(runDir, 'bmf.json'), 'utf8')) as Record<
      string,
      Record<string, { value: number }>
    >;
    assert.ok(
      bmf['cluster/kmeans@300'].latency.value > 0 &&
        bmf['cluster/kmeans@300'].throughput.value > 0 &&
        bmf['quality@300'].ari.value <= 1,
      'Bencher BMF: latency (ns), throughput, quality',
    );
    assert.match(readFileSync(join(runDir, 'csv', 'stages.csv'), 'utf8'), /^scale,stage,status,repeats,wall ms,/);

    // Hover text with markup characters (still the producer's shape): the report must escape it.
    const results = readResults(runDir);
    const point = results.sections.clusterMap!.points[3];
    point.text = 'summary <3> & "quoted"';
    writeFileSync(join(runDir, 'results.json'), JSON.stringify(results));
    await reportCommand(runDir);
    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    assert.doesNotMatch(
      html,
      /<script|<link\b|src="http/i,
      'self-contained: no script, no stylesheet link, no remote source',
    );
    assert.ok(
      html.indexOf('Stages at the largest scale') > 0 &&
        html.indexOf('Stages at the largest scale') < html.indexOf('id="charts"') &&
        html.indexOf('id="charts"') < html.indexOf('Hardware recommendation'),
      'first screen first, then the charts, then the hardware table',
    );
    assert.ok(
      readdirSync(join(runDir, 'csv')).some((f) => f.startsWith('section-hardware')),
      readdirSync(join(runDir, 'csv')).join(', '),
    );

    const res = await checkReportInBrowser(join(runDir, 'report.html'), join(runDir, 'report-screenshot.png'));
    assert.deepEqual(res.consoleErrors, []);
    assert.deepEqual(res.networkRequests, []);
    assert.deepEqual(res.skipped, [], 'no chart skipped when every section is present');
    assert.deepEqual(res.charts.map((c) => c.id).sort(), chartIds);
    for (const c of res.charts)
      assert.ok(
        c.shapes > 10 && c.width > 100 && c.height > 100,
        `chart ${c.id} drew ${c.shapes} shapes at ${c.width}x${c.height}`,
      );
    assert.ok(
      html.includes(`<title>cluster ${point.cluster}: summary &lt;3&gt; &amp; &quot;quoted&quot;</title>`),
      'cluster map points carry hover titles, escaped',
    );
    assert.match(html, /stroke-dasharray="6,4"/, 'the extrapolated part of the fitted curve is dashed');
    assert.ok(readFileSync(res.screenshot).length > 10_000, 'screenshot saved');
  },
);

test('a chart whose section is missing is skipped with a note, in HTML and Markdown', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: bare
scales: [100]
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 32 } }
`,
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  for (const id of ['concurrency', 'storage', 'cluster-map'])
    assert.match(html, new RegExp(`<p class="skipped" id="chart-${id}">Skipped:`));
  assert.match(md, /2-D map of the clusters: skipped \(no projection/);
  assert.match(md, /\[Time against scale, per stage \(log-log\)\]\(charts\/time-vs-scale\.svg\)/);
  assert.ok(existsSync(join(runDir, 'charts', 'time-vs-scale.svg')));
});
