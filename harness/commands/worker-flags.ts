/** Flags and help of `clusterbench worker`; the work is in worker-command.ts, imported only when the command runs. */
import type { Command } from 'commander';
import type { WorkerCommandOptions } from './worker-command.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'run distributed sweep cells from a Redis queue on this machine (see README, "Running on several machines")',
    )
    .requiredOption('--queue <url>', 'redis://HOST:PORT or rediss://user:password@HOST:PORT/DB (TLS)')
    .requiredOption(
      '--store <dir|s3-url>',
      'shared directory for cell inputs and outputs, mounted at the same path on every machine, or s3://BUCKET/PREFIX (AWS credentials from the environment)',
    )
    .option(
      '--s3-endpoint <url>',
      'with an s3:// store: an S3-compatible server such as MinIO, path-style (default $CLUSTERBENCH_S3_ENDPOINT, else AWS)',
    )
    .option('--concurrency <n>', 'cells at a time on this machine (each in its own process)', '1')
    .option('--label <name>', 'machine kind shown in the hardware table (default: host name)')
    .option('--lock-ms <ms>', "job lock: a killed worker's cell runs again elsewhere after about this long", '30000')
    .option('--prefix <name>', 'Redis key prefix shared with the sweep (default clusterbench)')
    .option('-q, --quiet', 'no log lines')
    .action(async (o: WorkerCommandOptions) => {
      const { workerCommand } = await import('./worker-command.js');
      const w = await workerCommand(o);
      const stop = (): void => void w.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
