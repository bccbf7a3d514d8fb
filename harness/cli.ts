#!/usr/bin/env node
/**
 * The clusterbench command line. Each command's flags and help are in harness/commands/<name>-flags.ts and its work in
 * <name>-command.ts, which the action imports when the command runs: `--help` loads no DuckDB, vega, Arrow or stdlib.
 */
import { enableCompileCache } from 'node:module';
import { Command } from 'commander';
import { registerSweepCommand } from './commands/sweep-flags.js';
import { registerBreakingPointCommand } from './commands/breaking-point-flags.js';
import { registerSimulateApiCommand } from './commands/simulate-api-flags.js';
import { registerReportCommand } from './commands/report-flags.js';
import { registerCompareCommand } from './commands/compare-flags.js';
import { registerHistoryCommand } from './commands/history-flags.js';
import { registerProfileCommand } from './commands/profile-flags.js';
import { registerCostCommand } from './commands/cost-flags.js';
import { registerGenerateCommand } from './commands/generate-flags.js';
import { registerWorkerCommand } from './commands/worker-flags.js';
import { toolVersion } from './io/tool-version.js';
import { cliErrorText } from '../pipeline/support/user-error.js';

// Modules imported from here on are compiled once and cached on disk (Node's compile cache), not at every start.
enableCompileCache?.();

// Reading output through `| head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command();
program
  .name('clusterbench')
  .description('scaling and profiling harness for conversation-clustering pipelines')
  .version(toolVersion());
// Usage errors (unknown flag, missing argument) exit 2 like every other bad input; exit 1 means "regression" to compare.
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
registerSweepCommand(program);
registerBreakingPointCommand(program);
registerSimulateApiCommand(program);
registerReportCommand(program);
registerCompareCommand(program);
registerHistoryCommand(program);
registerProfileCommand(program);
registerCostCommand(program);
registerGenerateCommand(program);
registerWorkerCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // A UserError (bad profile, bad input, full disk) is one line that says what to fix; anything else is a bug: its stack.
  process.stderr.write(`clusterbench: ${cliErrorText(err)}\n`);
  process.exitCode = 2;
});
