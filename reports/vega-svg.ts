/**
 * Render a Vega-Lite spec to a standalone SVG string in Node (vega-lite compiles, vega renders headless with the
 * 'none' renderer: no canvas, no network). Marks that carry a description get an SVG <title> child, so a browser
 * shows it on hover even from file:// with no script.
 */
import * as vl from 'vega-lite';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';

/** Options shared by every chart so they look alike. */
export const chartConfig = {
  font: 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 260 },
  title: { fontSize: 14, anchor: 'start' as const },
  view: { stroke: '#ddd' },
};

/** Put a <title> inside every mark element that has an aria-label, turning the label into a hover tooltip. */
export function addHoverTitles(svg: string): string {
  // Line and area marks carry the first datum's label only, which would mislead on hover: skip them.
  return svg.replace(
    /<(path|rect|circle|text|line|image)\b([^>]*?)\saria-label="([^"]*)"([^>]*?)\/>/g,
    (m, tag: string, pre: string, label: string, post: string) =>
      /aria-roledescription="(line|area|trail) mark"/.test(m)
        ? m
        : `<${tag}${pre} aria-label="${label}"${post}><title>${label}</title></${tag}>`,
  );
}

/** Compile and render one Vega-Lite spec to SVG. Throws with the chart name when the spec is invalid. */
export async function renderVegaLiteSvg(spec: TopLevelSpec, name = 'chart'): Promise<string> {
  let compiled: vega.Spec;
  try {
    compiled = vl.compile({ config: chartConfig, ...spec }).spec;
  } catch (e) {
    throw new Error(`chart "${name}": vega-lite could not compile the spec (${(e as Error).message})`, { cause: e });
  }
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return addHoverTitles(svg);
  } finally {
    view.finalize();
  }
}
