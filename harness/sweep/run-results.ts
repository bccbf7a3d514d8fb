/**
 * The one place a RunResults is put together: the partial results.json written after every cell and the final one
 * written by the sweep command both come from buildRunResults, so they cannot drift apart.
 */
import type { RunResults, RunSections, SweepOutcome } from '../types.js';

/** The parts of results.json that do not change while a sweep runs. */
export type RunHeader = Omit<RunResults, 'records' | 'scales' | 'breakingPoints' | 'sections' | 'finishedAt'>;

/** The header of results.json for a run (constant while it runs). */
export function runHeader(fields: Omit<RunHeader, 'schemaVersion'>): RunHeader {
  return { schemaVersion: 1, ...fields };
}

/** results.json content for the outcome so far; `sections` are laid over the runner's own (later writers win). */
export function buildRunResults(
  header: RunHeader,
  outcome: SweepOutcome,
  sections: RunSections = {},
  finishedAt = new Date(),
): RunResults {
  return {
    ...header,
    finishedAt: finishedAt.toISOString(),
    records: outcome.records,
    scales: outcome.scales,
    breakingPoints: outcome.breakingPoints,
    sections: { ...outcome.sections, ...sections },
  };
}
