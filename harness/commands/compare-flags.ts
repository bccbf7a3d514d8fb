/** Flags and help of `clusterbench compare`; the work is in compare-command.ts, imported only when the command runs. */
import type { Command } from 'commander';
import type { CompareCommandOptions } from './compare-command.js';
import { defaultComparisonOptions } from '../compare/run-comparison.js';
import { defaultMinimumEffect } from '../compare/minimum-effect.js';
import { UserError } from '../../pipeline/support/user-error.js';

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description(
      'compare two runs cell by cell with significance tests and thresholds; exits 1 on a significant regression',
    )
    .argument('<base>', 'BASE run directory (or its results.json); with --rerun, a profile or a run folder to re-run')
    .argument('<new>', 'NEW run directory (or its results.json); with --rerun, a profile or a run folder to re-run')
    .option(
      '--thresholds <file>',
      "YAML map of thresholds (or a profile with thresholds:); default: NEW's profile thresholds",
    )
    .option(
      '--no-defaults',
      'do not add the built-in thresholds (*.cpu_p50 "<1.10x", *.peak_rss "<1.10x", quality.ari ">0.98x", ...)',
    )
    .option(
      '--wall',
      'also judge wall time and throughput (*.wall_p50 "<1.10x", *.throughput ">0.91x"); by default they are reported only',
    )
    .option('--rerun', 'measure BASE and NEW now with this build, repeats interleaved BASE, NEW, BASE, NEW...')
    .option('--repeats <n>', 'with --rerun: rounds, i.e. repeats per side (default 5)')
    .option('--runs-out <dir>', 'with --rerun: parent folder for the two run folders (default runs)')
    .option('-q, --quiet', 'with --rerun: no progress output')
    .option('--alpha <p>', 'Mann-Whitney significance level', String(defaultComparisonOptions.alpha))
    .option(
      '--noise <fraction>',
      'relative noise floor for single samples and intervals',
      String(defaultComparisonOptions.noise),
    )
    .option('--notable', 'list only significant changes')
    .option(
      '--min-effect-ms <ms>',
      `a regression must change time by at least this (default ${defaultMinimumEffect.ms})`,
    )
    .option(
      '--min-effect-mib <MiB>',
      `... memory by at least this many MiB (default ${defaultMinimumEffect.bytes / 2 ** 20})`,
    )
    .option(
      '--min-effect-ratio <fraction>',
      `... and by at least this fraction (default ${defaultMinimumEffect.ratio})`,
    )
    .allowExcessArguments(false)
    .option('-o, --out <file>', 'also write the table (Markdown) to this file')
    .option('--json <file>', 'also write the comparison as JSON')
    .action(async (b: string, n: string, o: CompareCommandOptions) => {
      if (!o.rerun && (o.repeats !== undefined || o.runsOut !== undefined))
        throw new UserError('--repeats and --runs-out apply to --rerun; pass --rerun too');
      const { compareCommand, compareRerunCommand, NO_COMPARABLE_CELLS_EXIT_CODE } =
        await import('./compare-command.js');
      const { comparison, table, exitCode } = o.rerun ? await compareRerunCommand(b, n, o) : compareCommand(b, n, o);
      for (const w of comparison.warnings) process.stderr.write(`clusterbench compare: warning: ${w}\n`);
      process.stdout.write(table);
      for (const r of comparison.regressions)
        process.stderr.write(`clusterbench compare: regression: ${r.cell} ${r.metric}: ${r.note}\n`);
      if (exitCode === NO_COMPARABLE_CELLS_EXIT_CODE) {
        process.stderr.write(
          `clusterbench compare: no comparable cells: BASE and NEW have no cell in common (only in BASE: ${comparison.onlyInBase.slice(0, 5).join(', ') || 'none'}; only in NEW: ${comparison.onlyInNew.slice(0, 5).join(', ') || 'none'}); nothing was judged, exit ${exitCode}\n`,
        );
      }
      process.exitCode = exitCode;
    });
}
