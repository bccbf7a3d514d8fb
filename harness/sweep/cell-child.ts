/**
 * Entry point of a cell's child process (harness/sweep/cell-runner.ts forks it): receives one CellSpec over IPC,
 * runs it in this process, sends the CellResult back and exits. If the sweep goes away (killed), so does the cell.
 */
import { runCellHere, type CellChildMessage, type CellSpec } from './cell-runner.js';

const send = (m: CellChildMessage): void => {
  process.send!(m, () => process.exit(0));
};
process.on('disconnect', () => process.exit(1));
process.once('message', (cell: CellSpec) => {
  runCellHere(cell, 'process').then(
    (result) => send({ type: 'result', result }),
    (err: unknown) =>
      send({
        type: 'failed',
        message: `the cell's process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      }),
  );
});
