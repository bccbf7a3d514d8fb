#!/usr/bin/env node
/** The clusterbench command line. Each command lives in harness/commands/<name>-command.ts. */
import { enableCompileCache } from 'node:module';
import { Command } from 'commander';
import { toolVersion } from './io/tool-version.js';

// Modules imported from here on are compiled once and cached on disk (Node's compile cache), not at every start.
enableCompileCache?.();

/**
 * Each command's module, imported only when that command runs (or for the full --help): importing all of them cost
 * 3.1 s CPU per start on the 2-core CI machine, `worker` alone 0.8 s, and every queue worker and test starts a CLI.
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  sweep: async () => (await import('./commands/sweep-command.js')).registerSweepCommand,
  'breaking-point': async () => (await import('./commands/breaking-point-command.js')).registerBreakingPointCommand,
  'simulate-api': async () => (await import('./commands/simulate-api-command.js')).registerSimulateApiCommand,
  report: async () => (await import('./commands/report-command.js')).registerReportCommand,
  compare: async () => (await import('./commands/compare-command.js')).registerCompareCommand,
  history: async () => (await import('./commands/history-command.js')).registerHistoryCommand,
  profile: async () => (await import('./commands/profile-command.js')).registerProfileCommand,
  cost: async () => (await import('./commands/cost-command.js')).registerCostCommand,
  generate: async () => (await import('./commands/generate-command.js')).registerGenerateCommand,
  worker: async () => (await import('./commands/worker-command.js')).registerWorkerCommand,
};

// Reading output through `| head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command();
program.name('clusterbench').description('scaling and profiling harness for conversation-clustering pipelines').version(toolVersion());
// Usage errors (unknown flag, missing argument) exit 2 like every other bad input; exit 1 means "regression" to compare.
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
const named = process.argv[2];
for (const name of Object.hasOwn(COMMANDS, named ?? '') ? [named!] : Object.keys(COMMANDS)) (await COMMANDS[name]())(program);

/** Errors whose message says everything (file, key, what to do): printed without a stack. */
const EXPECTED_ERRORS = new Set(['ProfileError', 'FileWriteError', 'OutputFolderError', 'ResumeMismatchError']);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Expected problems (bad profile, bad input) are one clear line; anything else keeps its stack.
  const e = err as Error;
  process.stderr.write(`clusterbench: ${e?.constructor?.name === 'Error' || EXPECTED_ERRORS.has(e?.name) ? e.message : (e?.stack ?? String(err))}\n`);
  process.exitCode = 2;
});
