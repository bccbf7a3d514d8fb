/** Flags and help of `clusterbench history`; the work is in history-command.ts, imported only when the command runs. */
import type { Command } from 'commander';
import type { HistoryCommandOptions } from './history-command.js';
import { displayPath } from '../../pipeline/support/display-path.js';

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description('append runs to the history database, print trends with step detection, write history.html')
    .argument('[run-dirs...]', 'run directories to append first (appending a run again replaces it)')
    .option('--db <file>', 'DuckDB history database', 'history/history.duckdb')
    .option('-o, --out <dir>', 'where history.html and history.md go (default: beside the database)')
    .option('--cell <text>', 'only cells whose key contains this, e.g. cluster/kmeans or @5000')
    .option('--metric <name>', 'only this metric, e.g. wall_p50, peak_rss, ari')
    .option('--profile <name>', 'only runs of this profile')
    .option('--charts <list>', 'metrics charted in history.html', 'wall_p50,peak_rss,peak_heap,ari')
    .action(async (dirs: string[], o: HistoryCommandOptions) => {
      const { historyCommand } = await import('./history-command.js');
      const { renderTrendsMarkdown } = await import('../../reports/history-report.js');
      const { trends, runs, files } = await historyCommand(dirs, o);
      const shown = o.metric ? trends : trends.filter((t) => (o.charts ?? '').split(',').includes(t.metric));
      process.stdout.write(renderTrendsMarkdown(shown, runs));
      process.stdout.write(`wrote ${files.map((f) => displayPath(f)).join(', ')}\n`);
      // An empty table is easy to misread as "no regressions": say why it is empty.
      if (runs === 0)
        process.stderr.write(
          `clusterbench history: ${o.db} holds no runs; append some first: clusterbench history runs/<id> --db ${o.db}\n`,
        );
      else if (trends.length === 0 && (o.cell || o.metric || o.profile))
        process.stderr.write(
          `clusterbench history: no series match${o.cell ? ` --cell ${o.cell}` : ''}${o.metric ? ` --metric ${o.metric}` : ''}${o.profile ? ` --profile ${o.profile}` : ''} (metrics are e.g. wall_p50, cpu_p50, peak_rss, peak_heap, throughput, gc_ms, ari, nmi)\n`,
        );
    });
}
