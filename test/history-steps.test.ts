/**
 * Step detection on synthetic series (a real step is found, a single outlier is not a step), and the history
 * command end to end on a real DuckDB file: 14 nightly runs built from one real sweep, where the cluster stage
 * gets 60% slower from run 8 on and the embed stage has one wild night.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { detectSteps } from '../harness/analysis/step-detection.js';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { historyCommand } from '../harness/commands/history-command.js';
import { openHistory } from '../harness/compare/history-database.js';
import type { RunResults } from '../harness/types.js';
import { mulberry32, gaussian } from '../pipeline/support/seeded-random.js';
import { tempDir, writeProfile, tinyPipelineYaml } from './test-helpers.js';
import { checkReportInBrowser, chromiumMissingMessage, chromiumPath } from '../reports/browser-check.js';

const browserSkip =
  !existsSync(chromiumPath()) && process.env.CI !== 'true' ? chromiumMissingMessage(chromiumPath()) : false;
let historyHtml: string | undefined;

const noisy = (n: number, level: number, sd: number, seed: number): number[] => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => level + sd * gaussian(r));
};

test('a persistent step is found at the right place', () => {
  const y = [...noisy(15, 100, 2, 1), ...noisy(12, 130, 2, 2)];
  const { steps } = detectSteps(y);
  assert.equal(steps.length, 1, JSON.stringify(steps));
  assert.equal(steps[0].index, 15);
  assert.ok(Math.abs(steps[0].ratio - 1.3) < 0.05);
});

test('a single outlier is not a step, wherever it is', () => {
  for (const at of [0, 7, 15, 29]) {
    const y = noisy(30, 100, 2, 3);
    y[at] = 200;
    assert.deepEqual(detectSteps(y).steps, [], `outlier at ${at}`);
  }
  assert.deepEqual(detectSteps(noisy(40, 50, 1, 4)).steps, [], 'pure noise has no step');
  assert.deepEqual(detectSteps([100, 100, 100, 100, 101, 100]).steps, [], 'a flat series with a 1% wobble has no step');
});

test('history: runs go into DuckDB (+ Parquet timelines); trends mark the step and ignore the outlier', async () => {
  const dir = tempDir();
  const profile = writeProfile(tinyPipelineYaml({ name: 'nightly-mini', seed: 4, scales: [200], dims: 32, k: 6 }), dir);
  const { results } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const rand = mulberry32(11);
  const runDirs: string[] = [];
  for (let night = 0; night < 14; night++) {
    const r = JSON.parse(JSON.stringify(results)) as RunResults;
    r.id = `2026-11-${String(night + 1).padStart(2, '0')}-nightly`;
    r.startedAt = new Date(Date.UTC(2026, 10, night + 1, 2)).toISOString();
    for (const rec of r.records) {
      const f = 1 + 0.02 * gaussian(rand);
      rec.wallMs =
        100 * f * (rec.stage === 'cluster' && night >= 8 ? 1.6 : 1) * (rec.stage === 'embed' && night === 4 ? 3 : 1);
    }
    const d = join(dir, 'nights', r.id);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'results.json'), JSON.stringify(r));
    runDirs.push(d);
  }
  const db = join(dir, 'history', 'history.duckdb');
  await historyCommand(runDirs.slice(0, 7), { db });
  const { trends, runs, files } = await historyCommand(runDirs.slice(7), { db, metric: 'wall_p50' });
  assert.equal(runs, 14);
  const cluster = trends.find((t) => t.cell === 'cluster/kmeans@200')!;
  assert.equal(cluster.points.length, 14);
  assert.equal(cluster.steps.length, 1, JSON.stringify(cluster.steps));
  assert.equal(cluster.steps[0].runId, '2026-11-09-nightly');
  assert.ok(cluster.steps[0].worse);
  const embed = trends.find((t) => t.cell === 'embed/hashing@200')!;
  assert.deepEqual(embed.steps, [], 'one wild night is not a step');
  assert.ok(existsSync(join(dir, 'history', 'timelines', '2026-11-14-nightly.parquet')));
  historyHtml = files.find((f) => f.endsWith('history.html'))!;
  const html = readFileSync(historyHtml, 'utf8');
  assert.match(html, /<svg/);
  assert.match(html, /step 1\.6\dx at 2026-11-09-nightly/);
  // The Parquet timelines are real Parquet: DuckDB reads them back.
  const h = await openHistory(db);
  try {
    const rows = (
      await h.connection.runAndReadAll(
        `SELECT count(*) AS n, count(DISTINCT series) AS s FROM '${join(dir, 'history', 'timelines', '*.parquet')}'`,
      )
    ).getRowObjects();
    assert.ok(
      Number(rows[0].n) > 14 * 3 * 2 && Number(rows[0].s) === 3,
      JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
    );
  } finally {
    h.close();
  }
});

test('history.html renders its trend charts in headless Chromium', { skip: browserSkip }, async () => {
  assert.ok(historyHtml, 'the history test above wrote history.html');
  const res = await checkReportInBrowser(historyHtml, join(dirname(historyHtml), 'history-screenshot.png'));
  assert.deepEqual(res.consoleErrors, []);
  assert.deepEqual(res.networkRequests, []);
  assert.ok(
    res.charts.length >= 1 && res.charts.every((c) => c.shapes > 10 && c.width > 100),
    JSON.stringify(res.charts),
  );
});
