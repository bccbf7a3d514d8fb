/**
 * Trends from the history database: a text table per metric (first, last, change, steps) and history.html with one
 * trend chart per metric (a panel per cell), steps marked with a rule and the new level. Self-contained like
 * report.html.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { HistorySeries } from '../harness/compare/history-database.js';
import { detectSteps, type Step, type StepOptions } from '../harness/analysis/step-detection.js';
import { lowerIsBetterQuality, stageMetrics, type StageMetricName } from '../harness/analysis/cell-metrics.js';
import { renderVegaLiteSvg } from './vega-svg.js';
import { escapeHtml, markdownToHtml } from './html-report.js';

/** A series with its detected steps. */
export interface SeriesTrend extends HistorySeries {
  steps: (Step & { runId: string; worse: boolean })[];
  sigma: number;
}

/** Is a higher value worse for this metric? */
export function higherIsWorse(metric: string): boolean {
  const s = stageMetrics[metric as StageMetricName];
  if (s) return s.better === 'lower';
  return lowerIsBetterQuality.has(metric);
}

/** Detect steps in every series. */
export function analyseTrends(series: HistorySeries[], options: Partial<StepOptions> = {}): SeriesTrend[] {
  return series.map((s) => {
    const { steps, sigma } = detectSteps(
      s.points.map((p) => p.value),
      options,
    );
    return {
      ...s,
      sigma,
      steps: steps.map((st) => ({
        ...st,
        runId: s.points[st.index].runId,
        worse: higherIsWorse(s.metric) ? st.ratio > 1 : st.ratio < 1,
      })),
    };
  });
}

const fmt = (v: number): string =>
  Math.abs(v) >= 1e6 ? v.toExponential(3) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4);

/** The trends as a Markdown table. */
export function renderTrendsMarkdown(trends: SeriesTrend[], runs: number): string {
  const out = [
    `## clusterbench history: ${runs} runs, ${trends.length} series`,
    '',
    '| cell | metric | runs | first | last | last/first | steps (run: before → after) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const t of trends) {
    const first = t.points[0]?.value ?? NaN,
      last = t.points[t.points.length - 1]?.value ?? NaN;
    const steps = t.steps
      .map((s) => `${s.worse ? '✖' : '✔'} ${s.runId}: ${fmt(s.before)} → ${fmt(s.after)} (${s.ratio.toFixed(2)}x)`)
      .join('; ');
    out.push(
      `| ${t.cell} | ${t.metric} | ${t.points.length} | ${fmt(first)} | ${fmt(last)} | ${first ? (last / first).toFixed(3) : '—'}x | ${steps || '—'} |`,
    );
  }
  const worse = trends.flatMap((t) => t.steps.filter((s) => s.worse).map((s) => `${t.cell} ${t.metric} at ${s.runId}`));
  out.push('', worse.length ? `Steps for the worse: ${worse.join('; ')}.` : 'No step for the worse.', '');
  return out.join('\n');
}

function trendSpec(metric: string, trends: SeriesTrend[]): TopLevelSpec {
  const values = trends.flatMap((t) =>
    t.points.map((p) => ({
      cell: t.cell,
      startedAt: p.startedAt,
      value: p.value,
      run: p.runId,
      commit: p.commit ?? '',
    })),
  );
  const stepRows = trends.flatMap((t) =>
    t.steps.map((s) => ({
      cell: t.cell,
      startedAt: t.points[s.index].startedAt,
      after: s.after,
      label: `step ${s.ratio.toFixed(2)}x at ${s.runId}`,
      kind: s.worse ? 'worse' : 'better',
    })),
  );
  return {
    title: `${metric} over time`,
    columns: 3,
    facet: { field: 'cell', type: 'nominal', title: null },
    data: {
      values: [...values.map((v) => ({ ...v, layer: 'point' })), ...stepRows.map((s) => ({ ...s, layer: 'step' }))],
    },
    spec: {
      width: 260,
      height: 140,
      layer: [
        {
          transform: [{ filter: "datum.layer === 'point'" }],
          mark: { type: 'line', point: { filled: true, size: 25 } },
          encoding: {
            x: { field: 'startedAt', type: 'temporal', title: null },
            y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
            tooltip: [{ field: 'run' }, { field: 'commit' }, { field: 'value', format: '.4~g' }],
          },
        },
        {
          transform: [{ filter: "datum.layer === 'step'" }],
          mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 2 },
          encoding: {
            x: { field: 'startedAt', type: 'temporal' },
            color: {
              field: 'kind',
              type: 'nominal',
              title: 'step',
              scale: { domain: ['worse', 'better'], range: ['#d62728', '#2ca02c'] },
            },
            tooltip: [{ field: 'label' }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent', x: 'shared' } },
  } as unknown as TopLevelSpec;
}

/** history.html: one trend chart per metric, steps marked. */
export async function renderHistoryHtml(trends: SeriesTrend[], runs: number, metrics: string[]): Promise<string> {
  const figures: string[] = [];
  for (const metric of metrics) {
    const ts = trends.filter((t) => t.metric === metric && t.points.length > 0);
    if (ts.length === 0) continue;
    const svg = await renderVegaLiteSvg(trendSpec(metric, ts), `history-${metric}`);
    figures.push(
      `<figure class="chart" id="chart-${escapeHtml(metric)}">${svg}<figcaption>${escapeHtml(metric)}: median per run; dashed rules mark steps (levels that changed and stayed), red for the worse.</figcaption></figure>`,
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>clusterbench history</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#fafafa;color:#222}main{max-width:1180px;margin:0 auto;padding:24px}figure{background:#fff;border:1px solid #ddd;margin:0 0 18px;padding:12px;overflow-x:auto}figcaption{color:#555;font-size:12px}table{border-collapse:collapse;background:#fff;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}th{background:#f0f0f0}</style></head>
<body><main><h1>clusterbench history</h1><p>${runs} runs. Steps are found by penalised L1 piecewise-constant fitting (asv-style); a single noisy point is never a step.</p>
${figures.join('\n')}
${markdownToHtml(renderTrendsMarkdown(trends, runs).replace(/^## .*$/m, '## Trends'))}
</main></body></html>
`;
}
