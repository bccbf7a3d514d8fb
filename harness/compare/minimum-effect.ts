/**
 * A minimum-effect floor for compare as a CI gate: on tiny cells a significant-looking change can be a few
 * milliseconds (26 -> 30 ms on one repeat is +15%, and noise). A regression (✖) on a stage metric stands only if
 * the change is at least `ms` (time; throughput is turned into time per run), `bytes` (memory), and `ratio` relative.
 * Below the floor the verdict becomes ~ with a note. Status changes (ok -> oom) are never floored.
 */
import type { Comparison, ComparisonRow } from './run-comparison.js';

/** The floor: a change smaller than any of these is not a regression. */
export interface MinimumEffect {
  /** Absolute time change, ms (wall, CPU, GC; throughput as time per run). */
  ms: number;
  /** Absolute memory change, bytes. */
  bytes: number;
  /** Relative change |new/base - 1|. */
  ratio: number;
}

/** 50 ms, 16 MiB, 5%. */
export const defaultMinimumEffect: MinimumEffect = { ms: 50, bytes: 16 * 2 ** 20, ratio: 0.05 };

/** Why a row's change is below the floor, or undefined when it is not. */
export function belowMinimumEffect(row: ComparisonRow, floor: MinimumEffect): string | undefined {
  if (row.test === 'status' || !Number.isFinite(row.ratio)) return undefined;
  if (Math.abs(row.ratio - 1) < floor.ratio)
    return `change ${((row.ratio - 1) * 100).toFixed(1)}% is below the minimum effect ${(floor.ratio * 100).toFixed(0)}%`;
  let abs: number | undefined;
  let limit = 0;
  let unit = '';
  if (row.unit === 'ms') {
    abs = Math.abs(row.new - row.base);
    limit = floor.ms;
    unit = 'ms';
  } else if (row.unit === 'items/s' && row.base > 0 && row.new > 0) {
    abs = Math.abs(row.scale / row.new - row.scale / row.base) * 1000;
    limit = floor.ms;
    unit = 'ms per run';
  } else if (row.unit === 'bytes') {
    abs = Math.abs(row.new - row.base) / 2 ** 20;
    limit = floor.bytes / 2 ** 20;
    unit = 'MiB';
  }
  if (abs !== undefined && abs < limit)
    return `change of ${abs.toFixed(1)} ${unit} is below the minimum effect ${limit} ${unit}`;
  return undefined;
}

/** Turn ✖ rows whose change is below the floor into ~ (with the reason); regressions are recomputed. */
export function applyMinimumEffect(c: Comparison, floor: MinimumEffect = defaultMinimumEffect): Comparison {
  const rows = c.rows.map((r) => {
    if (r.verdict !== '✖' || r.cell.startsWith('quality@')) return r;
    const why = belowMinimumEffect(r, floor);
    return why ? { ...r, verdict: '~' as const, note: `${r.note ? `${r.note}, but ` : ''}${why}` } : r;
  });
  return { ...c, rows, regressions: rows.filter((r) => r.verdict === '✖') };
}
