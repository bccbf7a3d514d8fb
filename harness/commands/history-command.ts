/**
 * `clusterbench history [RUN_DIR...]`: append runs to the history database (DuckDB, timelines as Parquet beside it),
 * print the trend of every metric with its steps, and write history.html.
 */
import { join, resolve } from 'node:path';
import { appendRun, countRuns, openHistory, readHistorySeries } from '../compare/history-database.js';
import { readRun } from './compare-command.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import {
  analyseTrends,
  renderHistoryHtml,
  renderTrendsMarkdown,
  type SeriesTrend,
} from '../../reports/history-report.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Options of the history command. */
export interface HistoryCommandOptions {
  db: string;
  out?: string;
  cell?: string;
  metric?: string;
  profile?: string;
  /** Charted metrics (comma list). */
  charts?: string;
}

/** Append `runDirs`, then analyse; returns the trends, the Markdown and the files written. */
export async function historyCommand(
  runDirs: string[],
  opts: HistoryCommandOptions,
): Promise<{ trends: SeriesTrend[]; markdown: string; files: string[]; runs: number }> {
  // DuckDB writes whatever file it is given; a .json or .md path is a mistaken argument, not a database.
  if (!/\.(duckdb|db)$/i.test(opts.db))
    throw new UserError(
      `--db ${opts.db}: the history database is a DuckDB file; name it *.duckdb (e.g. --db history/history.duckdb)`,
    );
  const db = await openHistory(opts.db);
  const files: string[] = [];
  try {
    for (const d of runDirs) {
      const r = readRun(d);
      files.push(await appendRun(db, r, join(resolve(d), 'results.json')));
    }
    const runs = await countRuns(db);
    const trends = analyseTrends(
      await readHistorySeries(db, { cell: opts.cell, metric: opts.metric, profile: opts.profile }),
    );
    const markdown = renderTrendsMarkdown(trends, runs);
    const outDir = resolve(opts.out ?? join(db.path, '..'));
    const charted = (opts.charts ?? 'wall_p50,peak_rss,peak_heap,ari')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const html = await renderHistoryHtml(trends, runs, opts.metric ? [opts.metric] : charted);
    writeFileAtomic(join(outDir, 'history.html'), html);
    writeFileAtomic(join(outDir, 'history.md'), markdown);
    files.push(join(outDir, 'history.html'), join(outDir, 'history.md'));
    return { trends, markdown, files, runs };
  } finally {
    db.close();
  }
}
