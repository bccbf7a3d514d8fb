/**
 * `clusterbench compare BASE NEW`: match cells, test each metric's change for significance, apply the thresholds
 * (NEW's profile `thresholds`, or --thresholds FILE, over the built-in defaults: CPU time and peak memory; wall time
 * with --wall) and print ✔ / ✖ / ~ per metric. With --rerun, BASE and NEW are profiles or run folders that are
 * measured now, their repeats interleaved (harness/compare/interleaved-rerun.ts), and written as two run folders.
 * Exit code: 1 on a significant regression beyond a threshold and the minimum effect, 3 when no cell is comparable,
 * 0 otherwise (2 on bad input, from cli.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readResults } from '../sweep/run-directory.js';
import { compareRuns, defaultComparisonOptions, type Comparison } from '../compare/run-comparison.js';
import { parseThreshold, type ThresholdMap } from '../compare/threshold-expression.js';
import { renderComparisonMarkdown } from '../../reports/compare-table.js';
import { writeRunReports } from '../../reports/run-reports.js';
import { resolveRerunSide, runInterleaved } from '../compare/interleaved-rerun.js';
import { createProgressReporter } from '../sweep/progress-reporter.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { applyMinimumEffect, defaultMinimumEffect, type MinimumEffect } from '../compare/minimum-effect.js';
import type { RunResults } from '../types.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Options of the compare command. */
export interface CompareCommandOptions {
  thresholds?: string;
  alpha?: string;
  noise?: string;
  defaults?: boolean;
  out?: string;
  json?: string;
  notable?: boolean;
  /** Judge wall time and throughput too. */
  wall?: boolean;
  /** Measure BASE and NEW now (profiles or run folders), repeats interleaved. */
  rerun?: boolean;
  /** --rerun: rounds (repeats per side). */
  repeats?: string;
  /** --rerun: parent folder of the two run folders written. */
  runsOut?: string;
  quiet?: boolean;
  /** Minimum effect: a regression must change time by this many ms (default 50). */
  minEffectMs?: string;
  /** ... memory by this many MiB (default 16). */
  minEffectMib?: string;
  /** ... and by this fraction (default 0.05). */
  minEffectRatio?: string;
}

/** Exit status of compare when BASE and NEW have no cell in common: nothing was judged, which is not a pass. */
export const NO_COMPARABLE_CELLS_EXIT_CODE = 3;

function floorFlag(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= 0)) throw new UserError(`--${name}: "${v}" must be a number >= 0`);
  return n;
}

/** Read a run from its directory or its results.json path. */
export function readRun(pathOrDir: string): RunResults {
  const p = resolve(pathOrDir);
  if (!existsSync(p)) throw new UserError(`${pathOrDir}: no such run directory or results.json`);
  return readResults(statSync(p).isDirectory() ? p : dirname(p));
}

/** Read a thresholds file: a YAML map, or a profile with a `thresholds:` key. Errors name the file and the expression. */
export function readThresholdsFile(path: string): ThresholdMap {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: cannot read thresholds (${(e as Error).message})`);
  }
  const map = (doc && typeof doc === 'object' && 'thresholds' in doc ? doc.thresholds : doc) as Record<string, unknown>;
  if (!map || typeof map !== 'object' || Array.isArray(map))
    throw new UserError(`${path}: thresholds must be a map such as { "cluster.wall_p50": "<1.10x" }`);
  const out: ThresholdMap = {};
  for (const [k, v] of Object.entries(map)) {
    if (v !== null && typeof v !== 'string')
      throw new UserError(`${path}: thresholds.${k}: must be a string such as "<1.10x" (got ${JSON.stringify(v)})`);
    try {
      if (v !== null && v.trim().toLowerCase() !== 'off') parseThreshold(k, v);
    } catch (e) {
      throw new UserError(`${path}: ${(e as Error).message}`);
    }
    out[k] = v;
  }
  return out;
}

function numberFlag(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new UserError(`--${name}: "${v}" must be a number in [0, 1)`);
  return n;
}

/** Compare two runs already in memory; returns the comparison, the rendered table and the exit code it implies. */
export function compareResults(
  base: RunResults,
  next: RunResults,
  opts: CompareCommandOptions = {},
): { comparison: Comparison; table: string; exitCode: number } {
  const thresholds = opts.thresholds
    ? readThresholdsFile(opts.thresholds)
    : ((next.profile as { thresholds?: ThresholdMap } | undefined)?.thresholds ?? undefined);
  const floor: MinimumEffect = {
    ms: floorFlag('min-effect-ms', opts.minEffectMs, defaultMinimumEffect.ms),
    bytes: floorFlag('min-effect-mib', opts.minEffectMib, defaultMinimumEffect.bytes / 2 ** 20) * 2 ** 20,
    ratio: floorFlag('min-effect-ratio', opts.minEffectRatio, defaultMinimumEffect.ratio),
  };
  const comparison = applyMinimumEffect(
    compareRuns(base, next, {
      thresholds,
      useDefaults: opts.defaults !== false,
      alpha: numberFlag('alpha', opts.alpha, defaultComparisonOptions.alpha),
      noise: numberFlag('noise', opts.noise, defaultComparisonOptions.noise),
      judgeWall: opts.wall === true,
    }),
    floor,
  );
  const table = renderComparisonMarkdown(comparison, base.id, next.id, opts.notable);
  if (opts.out) writeFileAtomic(resolve(opts.out), table);
  if (opts.json)
    writeFileAtomic(resolve(opts.json), JSON.stringify({ base: base.id, new: next.id, ...comparison }, null, 1));
  return {
    comparison,
    table,
    exitCode: comparison.rows.length === 0 ? NO_COMPARABLE_CELLS_EXIT_CODE : comparison.regressions.length ? 1 : 0,
  };
}

/** Run a comparison of two run folders. */
export function compareCommand(
  basePath: string,
  newPath: string,
  opts: CompareCommandOptions = {},
): { comparison: Comparison; table: string; exitCode: number } {
  return compareResults(readRun(basePath), readRun(newPath), opts);
}

/** `compare --rerun`: measure both sides now, interleaved, write their run folders, and compare them. */
export async function compareRerunCommand(
  baseArg: string,
  newArg: string,
  opts: CompareCommandOptions = {},
): Promise<{ comparison: Comparison; table: string; exitCode: number; runDirs: [string, string] }> {
  const repeats = opts.repeats === undefined ? 5 : Number(opts.repeats);
  if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 1000))
    throw new UserError(`--repeats: "${opts.repeats}" must be a whole number from 1 to 1000`);
  const base = await resolveRerunSide(baseArg);
  const next = await resolveRerunSide(newArg);
  const progress = createProgressReporter(process.stderr, opts.quiet);
  const run = await runInterleaved(base, next, { repeats, progress });
  const parent = resolve(opts.runsOut ?? 'runs');
  const runDirs: [string, string] = [resolve(parent, run.base.id), resolve(parent, run.next.id)];
  await writeRunReports(runDirs[0], run.base);
  await writeRunReports(runDirs[1], run.next);
  progress.log(
    `wrote ${displayPath(runDirs[0])}/ (BASE) and ${displayPath(runDirs[1])}/ (NEW), ${repeats} interleaved round(s)`,
  );
  return { ...compareResults(run.base, run.next, opts), runDirs };
}
