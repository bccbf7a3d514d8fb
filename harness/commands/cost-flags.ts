/** Flags and help of `clusterbench cost`; the work is in cost-command.ts, imported only when the command runs. */
import type { Command } from 'commander';
import type { CostCommandOptions } from './cost-command.js';
import { DEFAULT_TOKENS } from '../analysis/default-tokens.js';

export function registerCostCommand(program: Command): void {
  program
    .command('cost')
    .description(
      'price a scenario (conversations/day x days x tokens per conversation) for every model; recommend the cheapest within limits',
    )
    .option('--conversations-per-day <n>', 'conversations per day (default 10000)')
    .option('--days <n>', 'days the scenario runs (default 30)')
    .option(
      '--input-tokens <n>',
      `average prompt tokens per conversation for summarisation (default ${DEFAULT_TOKENS.input})`,
    )
    .option('--output-tokens <n>', `average summary tokens per conversation (default ${DEFAULT_TOKENS.output})`)
    .option('--embedding-tokens <n>', `average tokens embedded per conversation (default ${DEFAULT_TOKENS.embedding})`)
    .option(
      '--run <runDir>',
      "measure tokens per conversation (and p95 latency) from a run's results.json; token flags override it",
    )
    .option('--pricing <file>', 'pricing YAML merged over pipeline/data/pricing.yaml')
    .option('--models <list>', 'only these models, comma-separated')
    .option('--max-p95-ms <ms>', 'recommend only chat models whose p95 request latency is at most this')
    .option('--max-usd <usd>', 'recommend only models whose total over the scenario is at most this')
    .option('--json', 'print the analysis as JSON')
    .action(async (o: CostCommandOptions) => {
      const { costCommand } = await import('./cost-command.js');
      process.stdout.write(`${(await costCommand(o)).text}\n`);
    });
}
