/**
 * How long the report, compare and history machinery takes on a nightly-sized run (6 scales x 3 stages x 3 repeats,
 * 2,000-sample RSS timelines, a 1,500-point cluster map), so that writing reports never dominates a sweep.
 * Prints one row per operation with its median time over BENCH_REPORT_REPEATS (default 3) runs.
 */
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import type { RunResults, StageRecord } from '../harness/types.js';
import { renderReportCharts, writeReportFiles } from '../reports/report-files.js';
import { compareRuns } from '../harness/compare/run-comparison.js';
import { detectSteps } from '../harness/analysis/step-detection.js';
import { appendRun, openHistory, readHistorySeries } from '../harness/compare/history-database.js';
import { mulberry32, gaussian } from '../pipeline/support/seeded-random.js';
import { profileSchema } from '../harness/profile/profile-schema.js';

const repeats = Number(process.env.BENCH_REPORT_REPEATS ?? 3);
const rand = mulberry32(7);

function syntheticRun(id: string, slow = 1): RunResults {
  const scales = [1000, 5000, 20_000, 50_000, 100_000, 200_000];
  const stages: [StageRecord['stage'], string, number][] = [
    ['summarise', 'extractive', 0.1],
    ['embed', 'hashing', 0.02],
    ['cluster', 'kmeans', 0.5],
  ];
  const records: StageRecord[] = [];
  for (const scale of scales)
    for (const [stage, method, msPerItem] of stages)
      for (let repeat = 0; repeat < 3; repeat++) {
        const wallMs = scale * msPerItem * slow * (1 + 0.03 * gaussian(rand));
        records.push({
          scale,
          stage,
          method,
          repeat,
          status: 'ok',
          items: scale,
          wallMs,
          cpuUserMs: wallMs,
          cpuSystemMs: 1,
          peakRssBytes: 2e8 + scale * 4000,
          baselineRssBytes: 2e8,
          peakHeapUsedBytes: 1e7 + scale * 100,
          peakArrayBuffersBytes: scale * 1024,
          itemsPerSec: scale / (wallMs / 1000),
          gc: { count: 3, totalMs: 2, maxMs: 1 },
          rssTimeline: Array.from({ length: 2000 }, (_, i) => ({ tMs: i * 10, rss: 2e8 + i * 1e5 })),
          workerMemory: Array.from({ length: 20 }, (_, i) => ({
            tMs: i * 100,
            heapUsed: 1e7 + i * 1e5,
            heapTotal: 2e7,
            external: 1e6,
            arrayBuffers: i * 1e6,
          })),
          counters: {},
          observations: {},
        });
      }
  return {
    schemaVersion: 1,
    id,
    tool: { name: 'clusterbench', version: 'bench' },
    startedAt: new Date(Date.UTC(2026, 0, 1) + Number(id.replace(/\D/g, '') || 0) * 864e5).toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      hostname: 'bench',
      platform: 'linux',
      arch: 'x64',
      cpuModel: 'bench',
      cores: 2,
      totalMemBytes: 24 * 2 ** 30,
      nodeVersion: process.version,
      v8Version: process.versions.v8,
      gitCommit: null,
      gitDirty: null,
    },
    profilePath: 'bench',
    profile: profileSchema.parse({
      name: 'bench',
      scales,
      stages: stages.map(([stage, method]) => ({ stage, method })),
    }),
    records,
    scales: scales.map((scale) => ({ scale, quality: { ari: 0.8, nmi: 0.85, silhouette: 0.1 } })),
    breakingPoints: [],
    sections: {
      clusterMap: {
        scale: 200_000,
        total: 200_000,
        points: Array.from({ length: 1500 }, (_, i) => ({
          x: gaussian(rand),
          y: gaussian(rand),
          cluster: i % 20,
          text: `intent ${i % 20} · a summary of about sixty characters for the hover label`,
        })),
      },
    },
  };
}

async function time(fn: () => unknown): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const base = syntheticRun('base-1');
const next = syntheticRun('new-2', 1.2);
const dir = mkdtempSync(join(tmpdir(), 'clusterbench-bench-'));
const rows: [string, number][] = [];
rows.push(['render 7 charts to SVG (vega-lite + vega)', await time(() => renderReportCharts(base))]);
rows.push([
  'write every report file (md, html, svg, csv, bmf)',
  await time(() => writeReportFiles(join(dir, 'run'), base)),
]);
rows.push(['compare two runs (54 cells x 6 metrics, 3v3 repeats)', await time(() => compareRuns(base, next))]);
const series = (n: number): number[] =>
  Array.from({ length: n }, (_, i) => 100 * (i >= n / 2 ? 1.2 : 1) * (1 + 0.02 * gaussian(rand)));
for (const n of [30, 100, 365]) rows.push([`step detection, ${n} nights`, await time(() => detectSteps(series(n)))]);
const db = await openHistory(join(dir, 'history', 'history.duckdb'));
let k = 0;
rows.push([
  'history: append one run (DuckDB + Parquet timelines)',
  await time(() => appendRun(db, syntheticRun(`night-${++k}`), 'bench')),
]);
rows.push(['history: read every series back', await time(() => readHistorySeries(db))]);
db.close();
rmSync(dir, { recursive: true, force: true });

console.log(`reports, compare and history on a nightly-sized run (median of ${repeats}; shared 2-core machine)`);
console.log('| operation | ms |\n|---|---|');
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} |`);
