#!/usr/bin/env node
/** The clusterbench command line. Each command lives in harness/commands/<name>-command.ts. */
import { Command } from 'commander';
import { registerSweepCommand } from './commands/sweep-command.js';
import { registerBreakingPointCommand } from './commands/breaking-point-command.js';
import { registerSimulateApiCommand } from './commands/simulate-api-command.js';
import { registerReportCommand } from './commands/report-command.js';
import { registerCompareCommand } from './commands/compare-command.js';
import { registerHistoryCommand } from './commands/history-command.js';
import { registerProfileCommand } from './commands/profile-command.js';
import { registerCostCommand } from './commands/cost-command.js';
import { registerGenerateCommand } from './commands/generate-command.js';
import { toolVersion } from './tool-version.js';

const program = new Command();
program.name('clusterbench').description('scaling and profiling harness for conversation-clustering pipelines').version(toolVersion());
registerSweepCommand(program);
registerBreakingPointCommand(program);
registerSimulateApiCommand(program);
registerReportCommand(program);
registerCompareCommand(program);
registerHistoryCommand(program);
registerProfileCommand(program);
registerCostCommand(program);
registerGenerateCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Expected problems (bad profile, bad input) are one clear line; anything else keeps its stack.
  const e = err as Error;
  process.stderr.write(`clusterbench: ${e?.constructor?.name === 'Error' || e?.name === 'ProfileError' ? e.message : (e?.stack ?? String(err))}\n`);
  process.exitCode = 2;
});
