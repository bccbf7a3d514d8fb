/** Flags and help of `clusterbench breaking-point`; the work is in breaking-point-command.ts, imported when it runs. */
import type { Command } from 'commander';
import type { BreakingPointCommandOptions } from './breaking-point-command.js';

export function registerBreakingPointCommand(program: Command): void {
  program
    .command('breaking-point')
    .description(
      'escalate the scale (x2) until each stage of interest breaks or a ceiling is reached, then bisect each break; writes runs/<id>/',
    )
    .option('-p, --profile <name|path>', 'profile name in profiles/ or a YAML path', 'breaking-point')
    .option(
      '-s, --stage <kind|kind/method...>',
      "stage(s) of interest (default: the profile's breakingPoints.escalate.stages, else every stage)",
    )
    .option('--start <n>', 'first scale, e.g. 1k (default: breakingPoints.escalate.start)')
    .option('--ceiling <n>', 'largest scale to try, e.g. 2m (default: breakingPoints.escalate.ceiling)')
    .option('--factor <x>', 'growth factor between scales (default 2)')
    .option('--seed <n>', 'override the profile seed')
    .option('-o, --out <dir>', 'parent folder for run directories', 'runs')
    .option('-q, --quiet', 'no progress output')
    .action(async (o: BreakingPointCommandOptions) => {
      const { breakingPointCommand } = await import('./breaking-point-command.js');
      await breakingPointCommand(o);
    });
}
