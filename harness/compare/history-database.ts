/**
 * The history database: DuckDB (@duckdb/node-api) with three tables, `runs`, `cells` and `metrics` (one row per
 * repeat sample of a stage metric, and per quality figure of a scale). Memory timelines are too many rows for the
 * trend queries, so they go to one zstd Parquet file per run beside the database (timelines/<run-id>.parquet),
 * written by DuckDB's COPY and readable with `SELECT * FROM 'timelines/*.parquet'`.
 * Appending the same run again replaces it, so re-running the nightly job is harmless.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { RunResults } from '../types.js';
import { waitForLock } from './history-lock-wait.js';
import { qualityFigures, runCells, stageMetrics, type StageMetricName } from '../analysis/cell-metrics.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** An open history database. Close it when done. */
export interface HistoryDatabase {
  path: string;
  connection: DuckDBConnection;
  close(): void;
}

const schema = [
  `CREATE TABLE IF NOT EXISTS runs (run_id VARCHAR PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, profile_name VARCHAR, profile_path VARCHAR,
    hostname VARCHAR, cpu_model VARCHAR, cores INTEGER, total_mem_bytes DOUBLE, node_version VARCHAR, git_commit VARCHAR, git_dirty BOOLEAN,
    tool_version VARCHAR, results_path VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS cells (run_id VARCHAR, cell VARCHAR, stage VARCHAR, method VARCHAR, scale BIGINT, status VARCHAR, repeats INTEGER, reason VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS metrics (run_id VARCHAR, cell VARCHAR, metric VARCHAR, repeat INTEGER, value DOUBLE)`,
];

/** Open (creating if needed) the history database at `path`. */
export async function openHistory(path: string): Promise<HistoryDatabase> {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await waitForLock(path, () => DuckDBInstance.create(abs));
  } catch (e) {
    if (/lock for/.test((e as Error).message)) throw e;
    throw new UserError(`${path}: cannot open the history database (${(e as Error).message})`);
  }
  const connection = await instance.connect();
  for (const sql of schema) await connection.run(sql);
  return {
    path: abs,
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

const profileName = (r: RunResults): string => (r.profile as { name?: string } | undefined)?.name ?? 'unknown';

/** Append one run (replacing an earlier copy of it); writes its timelines Parquet. Returns the Parquet path. */
export async function appendRun(db: HistoryDatabase, r: RunResults, resultsPath: string): Promise<string> {
  const c = db.connection;
  await c.run('BEGIN TRANSACTION');
  try {
    for (const t of ['runs', 'cells', 'metrics']) await c.run(`DELETE FROM ${t} WHERE run_id = $1`, [r.id]);
    const m = r.machine;
    await c.run(
      'INSERT INTO runs VALUES ($1, CAST($2 AS TIMESTAMP), CAST($3 AS TIMESTAMP), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)',
      [
        r.id,
        r.startedAt.replace('Z', ''),
        r.finishedAt.replace('Z', ''),
        profileName(r),
        r.profilePath,
        m.hostname,
        m.cpuModel,
        m.cores,
        m.totalMemBytes,
        m.nodeVersion,
        m.gitCommit ?? null,
        m.gitDirty ?? null,
        r.tool.version,
        resolve(resultsPath),
      ],
    );
    const cells = await c.createAppender('cells');
    const metrics = await c.createAppender('metrics');
    for (const cell of runCells(r)) {
      cells.appendVarchar(r.id);
      cells.appendVarchar(cell.key);
      cells.appendVarchar(cell.stage);
      cells.appendVarchar(cell.method);
      cells.appendBigInt(BigInt(cell.scale));
      cells.appendVarchar(cell.status);
      cells.appendInteger(cell.records.length);
      const reason = cell.records.find((x) => x.reason)?.reason;
      if (reason) cells.appendVarchar(reason);
      else cells.appendNull();
      cells.endRow();
      for (const rec of cell.records) {
        if (rec.status !== 'ok') continue;
        for (const name of Object.keys(stageMetrics) as StageMetricName[]) {
          const v = stageMetrics[name].pick(rec);
          if (!Number.isFinite(v)) continue;
          metrics.appendVarchar(r.id);
          metrics.appendVarchar(cell.key);
          metrics.appendVarchar(name);
          metrics.appendInteger(rec.repeat);
          metrics.appendDouble(v);
          metrics.endRow();
        }
      }
    }
    for (const s of r.scales) {
      for (const [k, v] of Object.entries(qualityFigures(s.quality))) {
        metrics.appendVarchar(r.id);
        metrics.appendVarchar(`quality@${s.scale}`);
        metrics.appendVarchar(k);
        metrics.appendNull();
        metrics.appendDouble(v);
        metrics.endRow();
      }
    }
    cells.closeSync();
    metrics.closeSync();
    await c.run('COMMIT');
  } catch (e) {
    await c.run('ROLLBACK');
    throw e;
  }
  return writeTimelinesParquet(db, r);
}

/** Write the run's RSS and worker-heap timelines to timelines/<run-id>.parquet beside the database (zstd). */
async function writeTimelinesParquet(db: HistoryDatabase, r: RunResults): Promise<string> {
  const c = db.connection;
  const dir = join(dirname(db.path), 'timelines');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${r.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.parquet`);
  await c.run(
    'CREATE OR REPLACE TEMP TABLE timeline_rows (run_id VARCHAR, cell VARCHAR, repeat INTEGER, series VARCHAR, t_ms DOUBLE, bytes DOUBLE)',
  );
  const a = await c.createAppender('timeline_rows');
  const row = (cell: string, repeat: number, series: string, t: number, bytes: number): void => {
    a.appendVarchar(r.id);
    a.appendVarchar(cell);
    a.appendInteger(repeat);
    a.appendVarchar(series);
    a.appendDouble(t);
    a.appendDouble(bytes);
    a.endRow();
  };
  for (const rec of r.records) {
    const cell = `${rec.stage}/${rec.method}@${rec.scale}`;
    for (const s of rec.rssTimeline) row(cell, rec.repeat, 'rss', s.tMs, s.rss);
    for (const s of rec.workerMemory) {
      row(cell, rec.repeat, 'heap_used', s.tMs, s.heapUsed);
      row(cell, rec.repeat, 'array_buffers', s.tMs, s.arrayBuffers);
    }
  }
  a.closeSync();
  await c.run(`COPY timeline_rows TO '${out.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd)`);
  await c.run('DROP TABLE timeline_rows');
  return out;
}

/** One point of a metric's history: the median over repeats of one run. */
export interface HistoryPoint {
  runId: string;
  startedAt: string;
  commit: string | null;
  value: number;
}

/** A metric's history for one cell, in run order. */
export interface HistorySeries {
  cell: string;
  metric: string;
  points: HistoryPoint[];
}

/** Every (cell, metric) series, optionally filtered by substring of the cell or exact metric name. */
export async function readHistorySeries(
  db: HistoryDatabase,
  filter: { cell?: string; metric?: string; profile?: string } = {},
): Promise<HistorySeries[]> {
  const where: string[] = [];
  const params: (string | null)[] = [];
  if (filter.cell) {
    params.push(`%${filter.cell}%`);
    where.push(`m.cell LIKE $${params.length}`);
  }
  if (filter.metric) {
    params.push(filter.metric);
    where.push(`m.metric = $${params.length}`);
  }
  if (filter.profile) {
    params.push(filter.profile);
    where.push(`r.profile_name = $${params.length}`);
  }
  const sql = `SELECT m.cell, m.metric, r.run_id, strftime(r.started_at, '%Y-%m-%dT%H:%M:%SZ') AS started, r.git_commit, median(m.value) AS value
    FROM metrics m JOIN runs r USING (run_id) ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    GROUP BY m.cell, m.metric, r.run_id, r.started_at, r.git_commit ORDER BY m.cell, m.metric, r.started_at, r.run_id`;
  const reader = await db.connection.runAndReadAll(sql, params);
  const out = new Map<string, HistorySeries>();
  for (const row of reader.getRowObjects()) {
    const key = `${String(row.cell)}\u0000${String(row.metric)}`;
    let s = out.get(key);
    if (!s) out.set(key, (s = { cell: String(row.cell), metric: String(row.metric), points: [] }));
    s.points.push({
      runId: String(row.run_id),
      startedAt: String(row.started),
      commit: row.git_commit === null ? null : String(row.git_commit),
      value: Number(row.value),
    });
  }
  return [...out.values()];
}

/** Number of runs in the database. */
export async function countRuns(db: HistoryDatabase): Promise<number> {
  const reader = await db.connection.runAndReadAll('SELECT count(*) AS n FROM runs');
  return Number(reader.getRowObjects()[0].n);
}
