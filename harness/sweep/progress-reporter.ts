/** Progress output: a live line per stage on a TTY, plain log lines otherwise (CI, pipes, files). */

/** Reports sweep progress. */
export interface ProgressReporter {
  stageStarted(scale: number, stage: string): void;
  stageFinished(scale: number, stage: string, summary: string): void;
  log(line: string): void;
}

export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr, quiet = false): ProgressReporter {
  const tty = Boolean(stream.isTTY);
  let live = false;
  let timer: NodeJS.Timeout | undefined;
  const clear = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (live) stream.write('\r\x1b[2K');
    live = false;
  };
  return {
    stageStarted(scale, stage) {
      if (quiet || !tty) return;
      const t0 = Date.now();
      const draw = (): void =>
        void stream.write(`\r\x1b[2K  n=${scale} ${stage} … ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      draw();
      live = true;
      timer = setInterval(draw, 250);
      timer.unref();
    },
    stageFinished(scale, stage, summary) {
      clear();
      if (!quiet) stream.write(`  n=${scale} ${stage}: ${summary}\n`);
    },
    log(line) {
      clear();
      if (!quiet) stream.write(`${line}\n`);
    },
  };
}
