/**
 * The sections derived from a run's records (issue 6): `scaling` (complexity and power-law fits), `repeatStats`
 * (per-cell statistics) and `hardware` (the recommendation table, which also reads `storage`, `workerScaling` and
 * `cost` when present). Pure functions of results.json, so re-rendering a run recomputes them with the same answer.
 */
import type { RunResults } from '../types.js';
import { scalingSection, type ScalingSection } from './scaling-law-fit.js';
import { repeatStatsSection, type RepeatStatsSection } from './repeat-statistics.js';
import { hardwareSection, type HardwareSection } from './hardware-recommendation.js';

/** The three derived sections. */
export interface MeasurementSections {
  scaling: ScalingSection;
  repeatStats: RepeatStatsSection;
  hardware: HardwareSection;
}

/** Compute the derived sections; call after every other section (storage, workerScaling, cost) is in place. */
export function measurementSections(results: RunResults): MeasurementSections {
  const scaling = scalingSection(results);
  return { scaling, repeatStats: repeatStatsSection(results), hardware: hardwareSection(results, scaling) };
}
