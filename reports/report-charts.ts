/**
 * The report's charts as Vega-Lite specs, built from results.json alone. A chart whose data is missing (no
 * scaling section, no API stage, no projection...) is returned with `skipped` set to the reason instead of a spec,
 * so the report says what it left out rather than failing.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunResults } from '../harness/types.js';
import { cellSamples, medianOf, qualityFigures, runCells } from '../harness/analysis/cell-metrics.js';
import { isMeasuredStatus } from '../harness/sweep/cell-status.js';
import { complexityFunctions } from '../harness/analysis/scaling-law-fit.js';

/** One chart of the report: either a spec to render or the reason it was skipped. */
export interface ReportChart {
  /** File-safe id, also the SVG file name: "time-vs-scale". */
  id: string;
  title: string;
  /** One line under the chart saying how to read it. */
  caption: string;
  spec?: TopLevelSpec;
  skipped?: string;
}

/** Target scales the extrapolated curves reach to, when the profile does not say. */
export const defaultExtrapolationTargets = [100_000, 1_000_000, 10_000_000];

const MIB = 2 ** 20;
const logX = (title: string) => ({
  field: 'scale',
  type: 'quantitative' as const,
  scale: { type: 'log' as const },
  title,
  axis: { format: '~s' },
});

function skip(id: string, title: string, caption: string, reason: string): ReportChart {
  return { id, title, caption, skipped: reason };
}

/** A fitted time curve for one stage: points to draw, measured range, and the model's name. */
interface ScalingCurve {
  stage: string;
  model: string;
  /** Largest measured scale; the curve beyond it is drawn dashed. */
  measuredMax: number;
  points: { scale: number; wallMs: number }[];
}

/** Wall-time curves from `sections.scaling` for supported fits: the power law, else the best class, drawn only as far as the fit may reach. */
function scalingCurves(r: RunResults, defaultTargets: number[]): ScalingCurve[] | undefined {
  const sec = r.sections.scaling;
  if (!sec) return undefined;
  const targets = sec.targets.length ? sec.targets : defaultTargets;
  const out: ScalingCurve[] = [];
  for (const fit of sec.fits) {
    if (fit.metric !== 'wallMs' || fit.stage === 'pipeline' || !fit.supported) continue;
    const best = fit.candidates.find((c) => c.complexity === fit.best);
    const pl = fit.powerLaw;
    const at = pl
      ? (n: number) => pl.a * n ** pl.b
      : best
        ? (n: number) => best.intercept + best.coefficient * complexityFunctions[best.complexity](n)
        : undefined;
    if (!at) continue;
    const model = pl ? `${fit.bigO}, power law n^${pl.b.toFixed(2)}` : fit.bigO;
    const reach = fit.reachMax === null ? Infinity : fit.reachMax;
    // Four points per interval between the measured range's ends and the targets, so the log-log curve looks smooth.
    const grid = [...new Set([fit.measuredMin, fit.measuredMax, ...targets].filter((x) => x > 0 && x <= reach))].sort(
      (x, y) => x - y,
    );
    const points: ScalingCurve['points'] = [];
    for (let i = 0; i < grid.length; i++) {
      const ns = [
        grid[i],
        ...(i + 1 < grid.length ? [1, 2, 3].map((s) => grid[i] * (grid[i + 1] / grid[i]) ** (s / 4)) : []),
      ];
      for (const n of ns) {
        const wallMs = at(n) + fit.offset;
        if (wallMs > 0 && Number.isFinite(wallMs)) points.push({ scale: n, wallMs });
      }
    }
    if (points.length >= 2) out.push({ stage: fit.stage, model, measuredMax: fit.measuredMax, points });
  }
  return out.length ? out : undefined;
}

/** Median wall time per stage and scale, log-log, with the fitted curve (dashed beyond the measured range). */
export function timeVsScaleChart(r: RunResults, targets = defaultExtrapolationTargets): ReportChart {
  const id = 'time-vs-scale',
    title = 'Time against scale, per stage (log-log)';
  const measured = runCells(r)
    .filter((c) => isMeasuredStatus(c.status))
    .map((c) => ({
      stage: `${c.stage}/${c.method}`,
      scale: c.scale,
      seconds: medianOf(cellSamples(c, 'wall_p50')) / 1000,
      repeats: c.records.length,
    }))
    .filter((d) => d.seconds > 0);
  if (measured.length === 0) return skip(id, title, '', 'no stage finished at any scale');
  const curves = scalingCurves(r, targets);
  const fitted = (curves ?? []).flatMap((c) =>
    c.points.map((p) => ({
      stage: c.stage,
      scale: p.scale,
      seconds: p.wallMs / 1000,
      part: p.scale <= c.measuredMax * 1.0001 ? 'fit' : 'extrapolated',
      model: c.model,
    })),
  );
  // The dashed part starts at the last measured point, so fit and extrapolation join up.
  for (const c of curves ?? []) {
    const last = c.points.filter((p) => p.scale <= c.measuredMax * 1.0001).pop();
    if (last)
      fitted.push({
        stage: c.stage,
        scale: last.scale,
        seconds: last.wallMs / 1000,
        part: 'extrapolated',
        model: c.model,
      });
  }
  const spec = {
    title,
    width: 560,
    height: 320,
    layer: [
      {
        data: { values: measured },
        mark: { type: 'line', point: { filled: true, size: 50 } },
        encoding: {
          x: logX('conversations'),
          y: { field: 'seconds', type: 'quantitative', scale: { type: 'log' }, title: 'median wall time (s)' },
          color: { field: 'stage', type: 'nominal', title: 'stage' },
          tooltip: [
            { field: 'stage' },
            { field: 'scale', title: 'n' },
            { field: 'seconds', format: '.3f', title: 'seconds' },
            { field: 'repeats' },
          ],
        },
      },
      ...(fitted.length
        ? [
            {
              data: { values: fitted },
              mark: { type: 'line', strokeWidth: 1.5, opacity: 0.8 },
              encoding: {
                x: { field: 'scale', type: 'quantitative' },
                y: { field: 'seconds', type: 'quantitative' },
                color: { field: 'stage', type: 'nominal' },
                detail: { field: 'part', type: 'nominal' },
                strokeDash: {
                  field: 'part',
                  type: 'nominal',
                  title: 'curve',
                  scale: {
                    domain: ['fit', 'extrapolated'],
                    range: [
                      [1, 0],
                      [6, 4],
                    ],
                  },
                },
              },
            },
          ]
        : []),
    ],
    resolve: { scale: { color: 'shared' } },
  } as unknown as TopLevelSpec;
  const caption = curves
    ? `Points are measured medians; thin lines are fitted curves (${curves.map((c) => `${c.stage}: ${c.model}`).join('; ')}), dashed where extrapolated beyond the largest measured scale.`
    : 'Points are measured medians. No scaling fits in results.json (sections.scaling), so no fitted or extrapolated curve is drawn.';
  return { id, title, caption, spec };
}

/** Peak RSS (process) and peak heap (worker) against scale, per stage. */
export function memoryVsScaleChart(r: RunResults): ReportChart {
  const id = 'memory-vs-scale',
    title = 'Peak RSS and peak heap against scale (log-log)';
  const rows = runCells(r)
    .filter((c) => isMeasuredStatus(c.status))
    .flatMap((c) => [
      {
        stage: `${c.stage}/${c.method}`,
        scale: c.scale,
        metric: 'peak RSS (process)',
        mb: medianOf(cellSamples(c, 'peak_rss')) / MIB,
      },
      {
        stage: `${c.stage}/${c.method}`,
        scale: c.scale,
        metric: 'peak heap (worker)',
        mb: medianOf(cellSamples(c, 'peak_heap')) / MIB,
      },
    ])
    .filter((d) => d.mb > 0);
  if (rows.length === 0) return skip(id, title, '', 'no stage finished at any scale');
  const spec = {
    title,
    width: 560,
    height: 300,
    data: { values: rows },
    mark: { type: 'line', point: { filled: true, size: 40 } },
    encoding: {
      x: logX('conversations'),
      y: { field: 'mb', type: 'quantitative', scale: { type: 'log' }, title: 'MiB' },
      color: { field: 'stage', type: 'nominal' },
      strokeDash: { field: 'metric', type: 'nominal', title: 'measure' },
      tooltip: [
        { field: 'stage' },
        { field: 'metric' },
        { field: 'scale', title: 'n' },
        { field: 'mb', format: '.1f', title: 'MiB' },
      ],
    },
  } as unknown as TopLevelSpec;
  return {
    id,
    title,
    caption:
      'RSS is per process (sampled in the main thread); heap is per worker (sampled inside it at batch boundaries).',
    spec,
  };
}

/** RSS timeline and worker heap samples for each stage at the largest scale where it finished. */
export function memoryTimelineChart(r: RunResults): ReportChart {
  const id = 'memory-timeline',
    title = 'Memory over time per stage, at the largest scale each stage finished';
  const cells = runCells(r);
  const byStage = new Map<string, (typeof cells)[number]>();
  for (const c of cells) {
    const rec = c.records.find((x) => x.status === 'ok' && x.rssTimeline.length + x.workerMemory.length > 0);
    if (!rec) continue;
    const name = `${c.stage}/${c.method}`;
    const prev = byStage.get(name);
    if (!prev || c.scale > prev.scale) byStage.set(name, c);
  }
  const rows: { stage: string; seconds: number; mb: number; series: string }[] = [];
  for (const [name, c] of byStage) {
    const rec = c.records.find((x) => x.status === 'ok')!;
    const label = `${name} @ ${c.scale.toLocaleString('en-US')}`;
    const step = Math.max(1, Math.ceil(rec.rssTimeline.length / 400)); // keep the SVG light
    rec.rssTimeline.forEach((s, i) => {
      if (i % step === 0 || i === rec.rssTimeline.length - 1)
        rows.push({ stage: label, seconds: s.tMs / 1000, mb: s.rss / MIB, series: 'RSS (process)' });
    });
    for (const s of rec.workerMemory) {
      rows.push({ stage: label, seconds: s.tMs / 1000, mb: s.heapUsed / MIB, series: 'heap used (worker)' });
      rows.push({ stage: label, seconds: s.tMs / 1000, mb: s.arrayBuffers / MIB, series: 'array buffers (worker)' });
    }
  }
  if (rows.length === 0) return skip(id, title, '', 'no memory timelines in the records');
  const spec = {
    title,
    data: { values: rows },
    facet: { field: 'stage', type: 'nominal', title: null },
    columns: 2,
    spec: {
      width: 300,
      height: 170,
      mark: { type: 'line', point: { size: 12 }, interpolate: 'step-after' },
      encoding: {
        x: { field: 'seconds', type: 'quantitative', title: 'seconds since stage start' },
        y: { field: 'mb', type: 'quantitative', title: 'MiB' },
        color: { field: 'series', type: 'nominal', title: 'series' },
        tooltip: [
          { field: 'series' },
          { field: 'seconds', format: '.3f' },
          { field: 'mb', format: '.1f', title: 'MiB' },
        ],
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as unknown as TopLevelSpec;
  return {
    id,
    title,
    caption:
      'RSS is sampled from the main thread every sampling interval; heap and array buffers are reported by the worker at batch boundaries.',
    spec,
  };
}

/** Throughput and p95 latency against concurrency for API stages (sections.concurrency). */
export function concurrencyChart(r: RunResults): ReportChart {
  const id = 'concurrency',
    title = 'Throughput and p95 latency against concurrency';
  const pts = (r.sections.concurrency?.stages ?? []).flatMap((s) =>
    s.levels.map((l) => ({
      stage: `${s.stage}/${s.method}`,
      concurrency: l.concurrency,
      throughput: l.throughputPerSec,
      p95Ms: l.latencyMs?.p95,
    })),
  );
  if (pts.length === 0)
    return skip(
      id,
      title,
      '',
      'no concurrency sweep in results.json (sections.concurrency): the profile ran no API stage at several concurrency levels',
    );
  const base = {
    x: { field: 'concurrency', type: 'quantitative', scale: { type: 'log', base: 2 } },
    color: { field: 'stage', type: 'nominal' },
  };
  const spec = {
    title,
    data: { values: pts },
    hconcat: [
      {
        width: 280,
        height: 220,
        mark: { type: 'line', point: { filled: true } },
        encoding: {
          ...base,
          y: { field: 'throughput', type: 'quantitative', title: 'throughput (items/s)' },
          tooltip: [{ field: 'stage' }, { field: 'concurrency' }, { field: 'throughput', format: '.2f' }],
        },
      },
      {
        width: 280,
        height: 220,
        mark: { type: 'line', point: { filled: true } },
        encoding: {
          ...base,
          y: { field: 'p95Ms', type: 'quantitative', title: 'p95 latency (ms)' },
          tooltip: [{ field: 'stage' }, { field: 'concurrency' }, { field: 'p95Ms', format: '.1f' }],
        },
      },
    ],
  } as unknown as TopLevelSpec;
  return { id, title, caption: 'Where throughput stops growing while p95 keeps rising is the knee.', spec };
}

/** Quality metrics against scale. */
export function qualityVsScaleChart(r: RunResults): ReportChart {
  const id = 'quality-vs-scale',
    title = 'Quality against scale';
  const wanted = ['ari', 'nmi', 'silhouette', 'homogeneity', 'completeness', 'vMeasure', 'purity', 'noiseFraction'];
  const rows = r.scales.flatMap((s) =>
    Object.entries(qualityFigures(s.quality))
      .filter(([k]) => wanted.includes(k))
      .map(([metric, value]) => ({ scale: s.scale, metric, value })),
  );
  if (rows.length === 0) return skip(id, title, '', 'no quality figures (no clustering finished, or no ground truth)');
  const spec = {
    title,
    width: 560,
    height: 260,
    data: { values: rows },
    mark: { type: 'line', point: { filled: true, size: 40 } },
    encoding: {
      x: logX('conversations'),
      y: {
        field: 'value',
        type: 'quantitative',
        title: 'score',
        scale: { domain: [Math.min(0, ...rows.map((d) => d.value)), 1] },
      },
      color: { field: 'metric', type: 'nominal', title: 'metric' },
      tooltip: [{ field: 'metric' }, { field: 'scale', title: 'n' }, { field: 'value', format: '.4f' }],
    },
  } as unknown as TopLevelSpec;
  return {
    id,
    title,
    caption:
      "ARI, NMI, homogeneity, completeness against the generator's ground truth; silhouette on the clustered vectors.",
    spec,
  };
}

/** Storage per conversation by component and format (sections.storage). */
export function storageChart(r: RunResults): ReportChart {
  const id = 'storage',
    title = 'Storage per conversation, by component and format';
  const scales = r.sections.storage?.scales ?? [];
  const largest = scales.reduce<(typeof scales)[number] | undefined>(
    (a, s) => (a && a.scale >= s.scale ? a : s),
    undefined,
  );
  const pts = (largest?.components ?? []).map((c) => ({
    component: c.component,
    format: c.format,
    bytesPerConversation: c.bytesPerConversation,
  }));
  if (!largest || pts.length === 0)
    return skip(id, title, '', 'no storage accounting in results.json (sections.storage)');
  const spec = {
    title: `${title} (n = ${largest.scale.toLocaleString('en-US')})`,
    width: 480,
    height: 260,
    data: { values: pts.map((p) => ({ ...p, kb: p.bytesPerConversation / 1024 })) },
    mark: 'bar',
    encoding: {
      y: { field: 'format', type: 'nominal', title: 'format', sort: '-x' },
      x: { field: 'kb', type: 'quantitative', title: 'KB per conversation', stack: 'zero' },
      color: { field: 'component', type: 'nominal', title: 'component' },
      tooltip: [{ field: 'format' }, { field: 'component' }, { field: 'kb', format: '.2f', title: 'KB/conversation' }],
    },
  } as unknown as TopLevelSpec;
  return { id, title, caption: 'Stacked bytes per conversation of each stored component, per format and codec.', spec };
}

/** 2-D map of the clusters from sections.clusterMap, coloured by cluster, with hover labels. */
export function clusterMapChart(r: RunResults): ReportChart {
  const id = 'cluster-map',
    title = '2-D map of the clusters';
  const sec = r.sections.clusterMap;
  const pts = (sec?.points ?? []).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (!sec || pts.length === 0)
    return skip(
      id,
      title,
      '',
      'no projection in results.json (sections.clusterMap): add a `project` stage to the profile',
    );
  const spec = {
    title: `${title} (n = ${sec.scale.toLocaleString('en-US')}, ${pts.length.toLocaleString('en-US')} of ${sec.total.toLocaleString('en-US')} points shown)`,
    width: 520,
    height: 420,
    data: {
      values: pts.map((p) => ({
        ...p,
        cluster: String(p.cluster),
        label: `cluster ${p.cluster}${p.topic ? ` (${p.topic})` : ''}${p.text ? `: ${p.text}` : ''}`,
      })),
    },
    mark: { type: 'circle', size: 18, opacity: 0.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', axis: null, scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', axis: null, scale: { zero: false } },
      color: {
        field: 'cluster',
        type: 'nominal',
        legend: pts.length && new Set(pts.map((p) => p.cluster)).size <= 30 ? { columns: 2 } : null,
        scale: { scheme: 'tableau20' },
      },
      description: { field: 'label' },
    },
  } as unknown as TopLevelSpec;
  return {
    id,
    title,
    caption:
      "A seeded sample of the projection stage's output; hover a point for its cluster, its name and the summary.",
    spec,
  };
}

/** Every chart of the report, in display order. */
export function reportCharts(r: RunResults): ReportChart[] {
  return [
    timeVsScaleChart(r),
    memoryVsScaleChart(r),
    memoryTimelineChart(r),
    concurrencyChart(r),
    qualityVsScaleChart(r),
    storageChart(r),
    clusterMapChart(r),
  ];
}
