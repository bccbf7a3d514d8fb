/**
 * Shared runner for the clustering benches: each cell (method x n x d) runs in its own child process, so its time
 * cap is enforced by killing it and its peak RSS (getrusage maxRSS, which includes the generated input) is its own.
 * A bench file calls `cellMain` first (child mode) and `runCell` per cell (parent mode).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { formatBytes } from '../pipeline/support/format-units.js';

/** What a cell reports back. */
export interface CellOutcome {
  status: 'ok' | 'timeout' | 'error';
  /** Wall time of the measured call only (input generation excluded). */
  ms?: number;
  /** Process peak RSS, input included. */
  maxRssBytes?: number;
  ari?: number;
  /** Extra columns (e.g. iterations, inertia, silhouette CI). */
  extra?: Record<string, string | number>;
  note?: string;
}

const MARK = 'CELL_RESULT ';

/** Time cap per cell, seconds (BENCH_CAP_SEC, default 60). */
export const capSec = Number(process.env.BENCH_CAP_SEC ?? 60);
/** BENCH_LARGE=1 adds the 1M cells. */
export const large = process.env.BENCH_LARGE === '1';

/**
 * In a child started by runCell: run `measure` on the cell's arguments, print the outcome, exit. Returns false in
 * the parent (no --cell argument).
 */
export async function cellMain<A>(
  measure: (
    args: A,
  ) => Promise<Omit<CellOutcome, 'status' | 'maxRssBytes'>> | Omit<CellOutcome, 'status' | 'maxRssBytes'>,
): Promise<boolean> {
  const at = process.argv.indexOf('--cell');
  if (at < 0) return false;
  try {
    const out = await measure(JSON.parse(process.argv[at + 1]) as A);
    console.log(MARK + JSON.stringify({ status: 'ok', ...out, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
  } catch (e) {
    console.log(
      MARK +
        JSON.stringify({
          status: 'error',
          note: (e as Error).message.slice(0, 200),
          maxRssBytes: process.resourceUsage().maxRSS * 1024,
        }),
    );
  }
  process.exit(0);
}

/** Run one cell of `script` in a child process under the time cap. */
export function runCell(script: string, args: unknown, timeoutSec = capSec): CellOutcome {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', script, '--cell', JSON.stringify(args)], {
    encoding: 'utf8',
    timeout: timeoutSec * 1000,
    maxBuffer: 64 << 20,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
    return { status: 'timeout', note: `> ${timeoutSec} s cap` };
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(MARK));
  if (!line)
    return {
      status: 'error',
      note: (r.stderr || `exit ${r.status} ${r.signal ?? ''}`).trim().split('\n').slice(-1)[0]?.slice(0, 160),
    };
  return JSON.parse(line.slice(MARK.length)) as CellOutcome;
}

/** Time a synchronous or async call. */
export async function timed<T>(f: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

/** Table cells for an outcome: time, peak RSS, ARI (or the status). */
export function outcomeCells(o: CellOutcome): string[] {
  if (o.status !== 'ok')
    return [
      o.status === 'timeout' ? `timeout (${o.note})` : `error: ${o.note ?? ''}`,
      o.maxRssBytes ? formatBytes(o.maxRssBytes) : '—',
      '—',
    ];
  return [
    `${((o.ms ?? 0) / 1000).toFixed(2)} s`,
    o.maxRssBytes ? formatBytes(o.maxRssBytes) : '—',
    o.ari === undefined ? '—' : o.ari.toFixed(4),
  ];
}

/** One line naming the machine, for the top of each bench's output. */
export function machineLine(): string {
  return `${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, Node ${process.version}, load avg ${os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join('/')} (shared machine: numbers are noisy); cap ${capSec} s per cell${large ? '' : '; BENCH_LARGE=1 adds 1M'}`;
}
