/** Flags and help of `clusterbench sweep`; the work is in sweep-command.ts, imported only when the command runs. */
import type { Command } from 'commander';
import type { SweepCommandOptions } from './sweep-command.js';
import { refuseFlagsIgnoredOnResume } from './resume-flags.js';
import { displayPath } from '../../pipeline/support/display-path.js';

export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('run a sweep profile at escalating scales and write runs/<id>/ with results.json and report.md')
    .option(
      '-p, --profile <name|path>',
      'profile name in profiles/ or a YAML path (default: quick; with --input: input)',
    )
    .option('--scales <list>', 'override the profile scales, e.g. 200,1000,5k')
    .option('--seed <n>', 'override the profile seed')
    .option(
      '--isolation <mode>',
      'override the profile isolation: process (a fresh child process per cell: its own RSS, VmHWM and CPU) or thread (in this process: quicker, RSS shared)',
    )
    .option('-o, --out <dir>', 'parent folder for run directories', 'runs')
    .option('-q, --quiet', 'no progress output')
    .option(
      '--pricing <file>',
      'pricing YAML merged over pipeline/data/pricing.yaml (USD per 1M tokens) for the tokens and cost section',
    )
    .option('--resume <runDir>', 'continue an interrupted sweep from its last completed stage and scale (runs/<id>)')
    .option(
      '--queue <url>',
      'run the cells on `clusterbench worker`s through this Redis queue (redis://HOST:PORT, rediss:// for TLS)',
    )
    .option(
      '--store <dir|s3-url>',
      'with --queue: shared directory for cell inputs and outputs, mounted at the same path by every worker (default <out>/cells), or s3://BUCKET/PREFIX (AWS credentials from the environment)',
    )
    .option(
      '--s3-endpoint <url>',
      'with an s3:// store: an S3-compatible server such as MinIO, path-style (default $CLUSTERBENCH_S3_ENDPOINT, else AWS)',
    )
    .option('--queue-prefix <name>', 'with --queue: Redis key prefix shared with the workers (default clusterbench)')
    .option(
      '--sweep-id <id>',
      'with --queue: join the jobs of this sweep id (default the run id): finished cells are re-used, not re-run',
    )
    .option(
      '--input <file>',
      'sweep over your conversations (OpenAI chat JSONL, Kura, ShareGPT, or a clusterbench .arrow); scales are nested seeded samples',
    )
    .option('--format <format>', 'format of --input: auto, openai, kura, sharegpt, arrow, jsonl (default auto-detect)')
    .option(
      '--skip-invalid',
      'skip bad records of --input instead of failing (count and first 10 line numbers go into results.json)',
    )
    .option(
      '--dedupe',
      'with --input: sample only the first copy of each distinct conversation text (duplicates are counted either way)',
    )
    .option('--max-conversation-bytes <n>', 'largest accepted conversation in --input, bytes (default 2097152)')
    .action(async (o: SweepCommandOptions, cmd: Command) => {
      refuseFlagsIgnoredOnResume(o, cmd);
      const { sweepCommand } = await import('./sweep-command.js');
      const { voidRunReason, VOID_RUN_EXIT_CODE } = await import('../sweep/run-verdict.js');
      const { runDir, results } = await sweepCommand({ ...o, handleInterrupts: true });
      const why = voidRunReason(results);
      if (why) {
        process.stderr.write(
          `clusterbench sweep: the run is void: ${why}. Report in ${displayPath(runDir)}/; exit ${VOID_RUN_EXIT_CODE}\n`,
        );
        process.exitCode = VOID_RUN_EXIT_CODE;
      }
    });
}
