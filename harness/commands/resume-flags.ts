/** `sweep --resume` continues a run with its own profile, input and folder: flags it would ignore are refused. */
import type { Command } from 'commander';
import { UserError } from '../../pipeline/support/user-error.js';

/** Flags (commander attribute names) that `--resume` ignores, shown as the user typed them. */
const IGNORED_ON_RESUME: Record<string, string> = {
  profile: '--profile',
  out: '--out',
  scales: '--scales',
  seed: '--seed',
  isolation: '--isolation',
  input: '--input',
  format: '--format',
  skipInvalid: '--skip-invalid',
  maxConversationBytes: '--max-conversation-bytes',
  dedupe: '--dedupe',
};

/** Throw a usage error naming every flag given on the command line that --resume would ignore. */
export function refuseFlagsIgnoredOnResume(opts: { resume?: string }, cmd: Command): void {
  if (opts.resume === undefined) return;
  const given = Object.keys(IGNORED_ON_RESUME).filter((k) => cmd.getOptionValueSource(k) === 'cli');
  if (given.length === 0) return;
  throw new UserError(
    `--resume continues ${opts.resume} with the profile, input and folder it started with; drop ${given.map((k) => IGNORED_ON_RESUME[k]).join(', ')} (they would be ignored)`,
  );
}
