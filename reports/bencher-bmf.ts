/**
 * Bencher Metric Format (BMF) export: `{ "<benchmark>": { "<measure>": { value, lower_value?, upper_value? } } }`,
 * so a run can be uploaded with `bencher run --adapter json --file bmf.json`. Benchmarks are cells
 * ("cluster/kmeans@5000") and per-scale quality ("quality@5000"). `latency` is in nanoseconds and `throughput` in
 * items per second, as Bencher's built-in measures expect; the other measures are custom slugs.
 */
import type { RunResults } from '../harness/types.js';
import {
  cellSamples,
  medianOf,
  qualityFigures,
  runCells,
  type StageMetricName,
} from '../harness/analysis/cell-metrics.js';

/** One BMF metric. */
export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

/** A BMF document. */
export type BmfDocument = Record<string, Record<string, BmfMetric>>;

function metric(values: number[], factor = 1): BmfMetric | undefined {
  if (values.length === 0) return undefined;
  const v = values.map((x) => x * factor);
  const m: BmfMetric = { value: medianOf(v) };
  if (v.length > 1) {
    m.lower_value = Math.min(...v);
    m.upper_value = Math.max(...v);
  }
  return m;
}

/** Build the BMF document of a run (ok cells only: a failed cell has no measurement). */
export function toBencherMetricFormat(r: RunResults): BmfDocument {
  const doc: BmfDocument = {};
  const measures: [string, StageMetricName, number][] = [
    ['latency', 'wall_p50', 1e6],
    ['throughput', 'throughput', 1],
    ['cpu-time', 'cpu_p50', 1e6],
    ['peak-rss', 'peak_rss', 1],
    ['peak-heap', 'peak_heap', 1],
  ];
  for (const c of runCells(r)) {
    if (c.status !== 'ok') continue;
    const entry: Record<string, BmfMetric> = {};
    for (const [name, m, factor] of measures) {
      const v = metric(cellSamples(c, m), factor);
      if (v) entry[name] = v;
    }
    if (Object.keys(entry).length) doc[c.key] = entry;
  }
  for (const s of r.scales) {
    const q = qualityFigures(s.quality);
    const entry: Record<string, BmfMetric> = {};
    for (const [k, v] of Object.entries(q)) entry[k.replace(/[A-Z]/g, (x) => `-${x.toLowerCase()}`)] = { value: v };
    if (Object.keys(entry).length) doc[`quality@${s.scale}`] = entry;
  }
  return doc;
}
