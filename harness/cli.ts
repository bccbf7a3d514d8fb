#!/usr/bin/env node
/** The clusterbench command line. Each command lives in harness/commands/<name>-command.ts. */
import { Command } from 'commander';
import { registerSweepCommand } from './commands/sweep-command.js';
import { toolVersion } from './tool-version.js';

const program = new Command();
program.name('clusterbench').description('scaling and profiling harness for conversation-clustering pipelines').version(toolVersion());
registerSweepCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Expected problems (bad profile, bad input) are one clear line; anything else keeps its stack.
  const e = err as Error;
  process.stderr.write(`clusterbench: ${e?.constructor?.name === 'Error' || e?.name === 'ProfileError' ? e.message : (e?.stack ?? String(err))}\n`);
  process.exitCode = 2;
});
