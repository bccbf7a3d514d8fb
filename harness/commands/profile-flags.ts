/** Flags and help of `clusterbench profile`; the work is in profile-command.ts, imported only when the command runs. */
import type { Command } from 'commander';
import type { ProfileCommandOptions } from './profile-command.js';
import { profileTools } from '../profiling/profile-tools.js';

export function registerProfileCommand(program: Command): void {
  program
    .command('profile')
    .description(
      'profile one stage at one scale in a worker thread: cpu-prof, heap-prof or heap-snapshot; prints the top functions by self time',
    )
    .requiredOption('--stage <kind[/method]>', 'the stage to profile, e.g. cluster or cluster/kmeans')
    .requiredOption('--scale <n>', 'conversations, e.g. 20000 or 20k')
    .option('--tool <name>', profileTools.join('|'), 'cpu-prof')
    .option('-p, --profile <name|path>', 'profile that defines the pipeline (default quick)')
    .option('--run <dir>', "use this run's profile and its checkpoints for the earlier stages' outputs")
    .option('-o, --out <dir>', 'output folder (default runs/profile-<stage>-n<scale>-<tool>-<time>)')
    .option('-q, --quiet', 'no progress output')
    .action(async (o: ProfileCommandOptions) => {
      const { formatProfileOutcome, profileCommand } = await import('./profile-command.js');
      process.stdout.write(formatProfileOutcome(await profileCommand(o)));
    });
}
