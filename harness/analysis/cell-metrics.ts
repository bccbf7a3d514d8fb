/**
 * Cells and their metrics: a cell is one stage x method x scale of a run; its metrics are per-repeat samples
 * (wall time, CPU, peak RSS, peak heap, throughput) plus per-scale quality figures. Reports, compare and history all
 * read results through here so they name metrics the same way ("cluster.wall_p50", "quality.ari").
 */
import { median } from 'simple-statistics';
import type { CellStatus, QualityReport, RunResults, StageRecord } from '../types.js';
import { isMeasuredStatus } from '../sweep/cell-status.js';

/** A metric of a stage cell. `wall_p50` is the median wall time over repeats, etc. */
export type StageMetricName = 'wall_p50' | 'cpu_p50' | 'peak_rss' | 'peak_heap' | 'throughput' | 'gc_ms';

/** What each stage metric means, its unit, and which direction is better. */
export const stageMetrics: Record<
  StageMetricName,
  { unit: 'ms' | 'bytes' | 'items/s'; better: 'lower' | 'higher'; pick: (r: StageRecord) => number }
> = {
  wall_p50: { unit: 'ms', better: 'lower', pick: (r) => r.wallMs },
  cpu_p50: { unit: 'ms', better: 'lower', pick: (r) => r.cpuUserMs + r.cpuSystemMs },
  peak_rss: { unit: 'bytes', better: 'lower', pick: (r) => r.peakRssBytes },
  peak_heap: { unit: 'bytes', better: 'lower', pick: (r) => r.peakHeapUsedBytes },
  throughput: { unit: 'items/s', better: 'higher', pick: (r) => r.itemsPerSec },
  gc_ms: { unit: 'ms', better: 'lower', pick: (r) => r.gc?.totalMs ?? NaN },
};

/** Quality figures that are compared and charted; higher is better except daviesBouldin and noiseFraction. */
export const qualityMetrics: (keyof QualityReport)[] = [
  'ari',
  'nmi',
  'homogeneity',
  'completeness',
  'vMeasure',
  'purity',
  'silhouette',
  'daviesBouldin',
  'calinskiHarabasz',
  'noiseFraction',
  'clusterCount',
];
/** Quality metrics where lower is better. */
export const lowerIsBetterQuality = new Set<string>(['daviesBouldin', 'noiseFraction']);

/** One stage x method x scale of a run, with its repeats. */
export interface Cell {
  /** "cluster/kmeans@5000". */
  key: string;
  stage: string;
  method: string;
  scale: number;
  /** Status of the cell: ok when every repeat was ok, else the first non-ok status. */
  status: CellStatus;
  records: StageRecord[];
}

/** "cluster/kmeans@5000". */
export const cellKey = (stage: string, method: string, scale: number): string => `${stage}/${method}@${scale}`;

/** Group a run's records into cells, in record order. */
export function runCells(r: RunResults): Cell[] {
  const cells = new Map<string, Cell>();
  for (const rec of r.records) {
    const key = cellKey(rec.stage, rec.method, rec.scale);
    let c = cells.get(key);
    if (!c)
      cells.set(key, (c = { key, stage: rec.stage, method: rec.method, scale: rec.scale, status: 'ok', records: [] }));
    c.records.push(rec);
    if (c.status === 'ok' && rec.status !== 'ok') c.status = rec.status;
  }
  return [...cells.values()];
}

/** Per-repeat samples of one metric over a cell's ok records (NaN values dropped). */
export function cellSamples(cell: Cell, metric: StageMetricName): number[] {
  return cell.records
    .filter((x) => isMeasuredStatus(x.status))
    .map(stageMetrics[metric].pick)
    .filter((v) => Number.isFinite(v));
}

/** Median of samples, NaN when empty. */
export function medianOf(values: number[]): number {
  return values.length ? median(values) : NaN;
}

/** Numeric quality figures of one scale, flattened: { ari: 0.8, nmi: 0.9, ... }. */
export function qualityFigures(q: QualityReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(q)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
