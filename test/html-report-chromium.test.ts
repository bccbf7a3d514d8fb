/**
 * The HTML report in a real headless Chromium: a real tiny sweep, its results.json given every optional section
 * the charts read (scaling fits, concurrency, storage, cluster map), rebuilt with `clusterbench report`, opened
 * from disk. Every chart must draw SVG marks, with no console error and no network request. In CI (CI=true)
 * a missing chromium fails the test with the install command; elsewhere the test is skipped with the same message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { reportCommand } from '../harness/commands/report-command.js';
import type { RunResults } from '../harness/types.js';
import { checkReportInBrowser, chromiumMissingMessage, chromiumPath } from '../reports/browser-check.js';
import { tempDir, writeProfile, tinyPipelineYaml } from './test-helpers.js';

const haveChromium = existsSync(chromiumPath());
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** Sections shaped like the other analyses write them, so every chart has data. */
function addSections(r: RunResults): void {
  const n = r.scales.map((s) => s.scale);
  r.sections.scaling = [{ stage: 'cluster', method: 'kmeans', metric: 'time', model: 'n log n', a: 0.002, b: 1.1 }];
  r.sections.concurrency = [1, 2, 4, 8, 16].map((c) => ({ stage: 'summarise/openai', concurrency: c, throughput: Math.min(c, 6) * 9.5, p95Ms: 120 + c * c * 3 }));
  r.sections.storage = ['raw', 'summary', 'embedding', 'clusters'].flatMap((component, i) => ['arrow', 'arrow+zstd', 'jsonl', 'parquet+zstd'].map((format, j) => ({ scale: n[n.length - 1], component, format, bytesPerConversation: (i + 1) * 300 / (j + 1) })));
  r.sections.hardware = [{ scale: 1_000_000, ramGb: 12, cores: 2, diskGb: 9, timeMin: 42, measured: false }];
  r.sections.clusterMap = { scale: n[n.length - 1], total: 400, points: Array.from({ length: 120 }, (_, i) => ({ x: Math.cos(i) * (i % 7), y: Math.sin(i) * (i % 5), cluster: i % 6, text: `intent ${i % 6} · summary <${i}> & "quoted"` })) };
}

test('report.html renders every chart in headless Chromium, offline, with no console errors', { skip: !haveChromium && !inCi ? chromiumMissingMessage(chromiumPath()) : false }, async () => {
  assert.ok(haveChromium, chromiumMissingMessage(chromiumPath()));
  const dir = tempDir();
  const profile = writeProfile(tinyPipelineYaml({ name: 'html', seed: 5, scales: [150, 450] }), dir);
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  for (const f of ['report.md', 'report.html', 'bmf.json', 'csv/stages.csv', 'csv/quality.csv', 'charts/time-vs-scale.svg']) assert.ok(existsSync(join(runDir, f)), `${f} written by the sweep`);
  const bmf = JSON.parse(readFileSync(join(runDir, 'bmf.json'), 'utf8')) as Record<string, Record<string, { value: number }>>;
  assert.ok(bmf['cluster/kmeans@450'].latency.value > 0 && bmf['cluster/kmeans@450'].throughput.value > 0 && bmf['quality@450'].ari.value <= 1, 'Bencher BMF: latency (ns), throughput, quality');
  assert.match(readFileSync(join(runDir, 'csv', 'stages.csv'), 'utf8'), /^scale,stage,status,repeats,wall ms,/);

  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  addSections(results);
  writeFileSync(join(runDir, 'results.json'), JSON.stringify(results));
  await reportCommand(runDir);
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /<script|<link\b|src="http/i, 'self-contained: no script, no stylesheet link, no remote source');
  assert.ok(html.indexOf('Hardware recommendation') < html.indexOf('id="charts"'), 'hardware table before the charts');
  assert.ok(readdirSync(join(runDir, 'csv')).some((f) => f.startsWith('section-hardware')), readdirSync(join(runDir, 'csv')).join(', '));

  const res = await checkReportInBrowser(join(runDir, 'report.html'), join(runDir, 'report-screenshot.png'));
  assert.deepEqual(res.consoleErrors, []);
  assert.deepEqual(res.networkRequests, []);
  assert.deepEqual(res.skipped, [], 'no chart skipped when every section is present');
  assert.deepEqual(res.charts.map((c) => c.id).sort(), ['cluster-map', 'concurrency', 'memory-timeline', 'memory-vs-scale', 'quality-vs-scale', 'storage', 'time-vs-scale']);
  for (const c of res.charts) assert.ok(c.shapes > 10 && c.width > 100 && c.height > 100, `chart ${c.id} drew ${c.shapes} shapes at ${c.width}x${c.height}`);
  assert.match(html, /<title>cluster 3: intent 3 · summary &lt;3&gt; &amp; &quot;quoted&quot;<\/title>/, 'cluster map points carry hover titles, escaped');
  assert.match(html, /stroke-dasharray="6,4"/, 'the extrapolated part of the fitted curve is dashed');
  assert.ok(readFileSync(res.screenshot).length > 10_000, 'screenshot saved');
});

test('a chart whose section is missing is skipped with a note, in HTML and Markdown', async () => {
  const dir = tempDir();
  const profile = writeProfile(`
name: bare
scales: [100]
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 32 } }
`, dir);
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  for (const id of ['concurrency', 'storage', 'cluster-map']) assert.match(html, new RegExp(`<p class="skipped" id="chart-${id}">Skipped:`));
  assert.match(md, /2-D map of the clusters: skipped \(no projection/);
  assert.match(md, /\[Time against scale, per stage \(log-log\)\]\(charts\/time-vs-scale\.svg\)/);
  assert.ok(existsSync(join(runDir, 'charts', 'time-vs-scale.svg')));
});
