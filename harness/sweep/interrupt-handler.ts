/**
 * Ctrl-C and SIGTERM during a sweep: say where the run is and how to resume it, let the write in flight finish
 * (harness/io/write-guard.ts), then exit 130 (SIGINT) or 143 (SIGTERM). results.json is rewritten after every
 * cell and exists from the start, so what is on disk is always a resumable run. A second signal exits at once.
 */
import { beginShutdown, writesIdle } from '../io/write-guard.js';

/** Exit status for a signal, as shells report it: 128 + the signal number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** The line printed at the start and on an interrupt. */
export function resumeHint(runDirShown: string): string {
  return `run folder ${runDirShown}; if interrupted, resume with: clusterbench sweep --resume ${runDirShown}`;
}

/** Install the handlers; the returned function removes them. `write` receives the messages (stderr by default). */
export function installInterruptHandler(
  runDirShown: string,
  write: (line: string) => void = (l) => void process.stderr.write(l),
): () => void {
  let stopping = false;
  const handlers = (Object.keys(SIGNAL_EXIT_CODES) as (keyof typeof SIGNAL_EXIT_CODES)[]).map((signal) => {
    const handler = (): void => {
      const code = SIGNAL_EXIT_CODES[signal];
      if (stopping) process.exit(code);
      stopping = true;
      beginShutdown();
      write(`\nclusterbench sweep: interrupted (${signal}); the run is resumable: ${resumeHint(runDirShown)}\n`);
      void writesIdle().then(() => process.exit(code));
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [s, h] of handlers) process.off(s, h);
  };
}
