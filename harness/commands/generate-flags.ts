/** Flags and help of `clusterbench generate`; the work is in generate-command.ts, imported only when the command runs. */
import type { Command } from 'commander';
import type { GenerateCommandOptions } from './generate-command.js';

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description(
      'stream synthetic conversations with ground truth (domain, intent, language, flags) to .arrow or .jsonl',
    )
    .requiredOption('-n, --n <count>', 'number of conversations (100000, 100k, 1m)')
    .option('-s, --seed <n>', 'random seed; the same seed and options give byte-identical output', '42')
    .requiredOption('-o, --out <file>', 'output file: .arrow (Arrow IPC file) or .jsonl')
    .option('--stats', 'print domain/intent/language histograms, length percentiles and the unique-text fraction')
    .option('--difficulty <0..1>', 'vocabulary overlap between intents (default 0.1)')
    .option('--intents <n|ids>', 'restrict to N intents (round-robin over domains) or a comma list of intent ids')
    .option('--domains <list>', 'restrict to these domains (comma list)')
    .option('--languages <list>', 'language codes, e.g. en,es,de (default en 60%, es 20%, de 20%)')
    .option('--zipf <s>', 'Zipf exponent over intents (default 1; 0 = uniform)')
    .option('--mean-bytes <n>', 'mean raw text per conversation in bytes (default 3500)')
    .option('--batch-size <n>', 'conversations per record batch / write (default 1000)')
    .option(
      '--workers <n>',
      'generation worker threads (default 2 from 20K conversations, else 0); output is identical for any value',
    )
    .option('--options <json>', 'any other generator options as JSON, e.g. {"typoRate":0.2,"turns":{"mean":6}}')
    .option('-q, --quiet', 'no progress bar or summary line')
    .action(async (o: GenerateCommandOptions) => {
      const { generateCommand } = await import('./generate-command.js');
      await generateCommand(o);
    });
}
