/**
 * `clusterbench compare BASE NEW`: match cells, test each metric's change for significance, apply the thresholds
 * (NEW's profile `thresholds`, or --thresholds FILE, over the built-in defaults) and print ✔ / ✖ / ~ per metric.
 * Exit code: 1 on a significant regression beyond a threshold and the minimum effect, 3 when no cell is comparable,
 * 0 otherwise (2 on bad input, from cli.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { readResults } from '../sweep/run-directory.js';
import { compareRuns, defaultComparisonOptions, type Comparison } from '../compare/run-comparison.js';
import { parseThreshold, type ThresholdMap } from '../compare/threshold-expression.js';
import { renderComparisonMarkdown } from '../../reports/compare-table.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { applyMinimumEffect, defaultMinimumEffect, type MinimumEffect } from '../compare/minimum-effect.js';
import type { RunResults } from '../types.js';

/** Options of the compare command. */
export interface CompareCommandOptions {
  thresholds?: string;
  alpha?: string;
  noise?: string;
  defaults?: boolean;
  out?: string;
  json?: string;
  notable?: boolean;
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
  if (!(Number.isFinite(n) && n >= 0)) throw new Error(`--${name}: "${v}" must be a number >= 0`);
  return n;
}

/** Read a run from its directory or its results.json path. */
export function readRun(pathOrDir: string): RunResults {
  const p = resolve(pathOrDir);
  if (!existsSync(p)) throw new Error(`${pathOrDir}: no such run directory or results.json`);
  return readResults(statSync(p).isDirectory() ? p : dirname(p));
}

/** Read a thresholds file: a YAML map, or a profile with a `thresholds:` key. Errors name the file and the expression. */
export function readThresholdsFile(path: string): ThresholdMap {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read thresholds (${(e as Error).message})`);
  }
  const map = (doc && typeof doc === 'object' && 'thresholds' in doc ? (doc as { thresholds: unknown }).thresholds : doc) as Record<string, unknown>;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new Error(`${path}: thresholds must be a map such as { "cluster.wall_p50": "<1.10x" }`);
  const out: ThresholdMap = {};
  for (const [k, v] of Object.entries(map)) {
    if (v !== null && typeof v !== 'string') throw new Error(`${path}: thresholds.${k}: must be a string such as "<1.10x" (got ${JSON.stringify(v)})`);
    try {
      if (v !== null && v.trim().toLowerCase() !== 'off') parseThreshold(k, v);
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`);
    }
    out[k] = v as string | null;
  }
  return out;
}

function numberFlag(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new Error(`--${name}: "${v}" must be a number in [0, 1)`);
  return n;
}

/** Run a comparison; returns it with the rendered table and the exit code it implies. */
export function compareCommand(basePath: string, newPath: string, opts: CompareCommandOptions = {}): { comparison: Comparison; table: string; exitCode: number } {
  const base = readRun(basePath);
  const next = readRun(newPath);
  const thresholds = opts.thresholds ? readThresholdsFile(opts.thresholds) : ((next.profile as { thresholds?: ThresholdMap } | undefined)?.thresholds ?? undefined);
  const floor: MinimumEffect = {
    ms: floorFlag('min-effect-ms', opts.minEffectMs, defaultMinimumEffect.ms),
    bytes: floorFlag('min-effect-mib', opts.minEffectMib, defaultMinimumEffect.bytes / 2 ** 20) * 2 ** 20,
    ratio: floorFlag('min-effect-ratio', opts.minEffectRatio, defaultMinimumEffect.ratio),
  };
  const comparison = applyMinimumEffect(compareRuns(base, next, {
    thresholds,
    useDefaults: opts.defaults !== false,
    alpha: numberFlag('alpha', opts.alpha, defaultComparisonOptions.alpha),
    noise: numberFlag('noise', opts.noise, defaultComparisonOptions.noise),
  }), floor);
  const table = renderComparisonMarkdown(comparison, base.id, next.id, opts.notable);
  if (opts.out) writeFileAtomic(resolve(opts.out), table);
  if (opts.json) writeFileAtomic(resolve(opts.json), JSON.stringify({ base: base.id, new: next.id, ...comparison }, null, 1));
  return { comparison, table, exitCode: comparison.rows.length === 0 ? NO_COMPARABLE_CELLS_EXIT_CODE : comparison.regressions.length ? 1 : 0 };
}

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('compare two runs cell by cell with significance tests and thresholds; exits 1 on a significant regression')
    .argument('<base>', 'BASE run directory (or its results.json)')
    .argument('<new>', 'NEW run directory (or its results.json)')
    .option('--thresholds <file>', 'YAML map of thresholds (or a profile with thresholds:); default: NEW\'s profile thresholds')
    .option('--no-defaults', 'do not add the built-in thresholds (*.wall_p50 "<1.10x", quality.ari ">0.98x", ...)')
    .option('--alpha <p>', 'Mann-Whitney significance level', String(defaultComparisonOptions.alpha))
    .option('--noise <fraction>', 'relative noise floor for single samples and intervals', String(defaultComparisonOptions.noise))
    .option('--notable', 'list only significant changes')
    .option('--min-effect-ms <ms>', `a regression must change time by at least this (default ${defaultMinimumEffect.ms})`)
    .option('--min-effect-mib <MiB>', `... memory by at least this many MiB (default ${defaultMinimumEffect.bytes / 2 ** 20})`)
    .option('--min-effect-ratio <fraction>', `... and by at least this fraction (default ${defaultMinimumEffect.ratio})`)
    .allowExcessArguments(false)
    .option('-o, --out <file>', 'also write the table (Markdown) to this file')
    .option('--json <file>', 'also write the comparison as JSON')
    .action((b: string, n: string, o: CompareCommandOptions) => {
      const { comparison, table, exitCode } = compareCommand(b, n, o);
      for (const w of comparison.warnings) process.stderr.write(`clusterbench compare: warning: ${w}\n`);
      process.stdout.write(table);
      for (const r of comparison.regressions) process.stderr.write(`clusterbench compare: regression: ${r.cell} ${r.metric}: ${r.note}\n`);
      if (exitCode === NO_COMPARABLE_CELLS_EXIT_CODE) {
        process.stderr.write(`clusterbench compare: no comparable cells: BASE and NEW have no cell in common (only in BASE: ${comparison.onlyInBase.slice(0, 5).join(', ') || 'none'}; only in NEW: ${comparison.onlyInNew.slice(0, 5).join(', ') || 'none'}); nothing was judged, exit ${exitCode}\n`);
      }
      process.exitCode = exitCode;
    });
}
