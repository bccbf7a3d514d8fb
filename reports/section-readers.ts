/**
 * Tolerant readers for the optional `results.sections.*` that other analyses write (scaling fits, concurrency,
 * storage, cluster map, hardware table). Each returns undefined (never throws) when its section is absent or has an
 * unexpected shape, so a report always renders and says which charts it skipped. Shapes are read loosely on purpose:
 * sections are added by different modules and may grow fields.
 */
import type { RunResults } from '../harness/types.js';
import { isMeasuredStatus } from '../harness/sweep/cell-status.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The first array found at `section` itself or at one of `keys` inside it. */
function rowsOf(section: unknown, keys: string[]): Obj[] | undefined {
  if (Array.isArray(section)) return section.filter(isObj);
  if (!isObj(section)) return undefined;
  for (const k of keys) if (Array.isArray(section[k])) return (section[k] as unknown[]).filter(isObj);
  return undefined;
}

/** First number among several possible field names. */
function firstNum(o: Obj, keys: string[]): number | undefined {
  for (const k of keys) {
    const v = num(o[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Split "cluster/kmeans" or read stage + method fields. */
function stageName(o: Obj): string | undefined {
  const stage = str(o.stage) ?? str(o.label) ?? str(o.name);
  if (!stage) return undefined;
  const method = str(o.method);
  return method && !stage.includes('/') ? `${stage}/${method}` : stage;
}

/** A fitted time curve for one stage: points to draw, measured range, and the model's name. */
export interface ScalingCurve {
  stage: string;
  model: string;
  /** Largest measured scale; the curve beyond it is drawn dashed. */
  measuredMax: number;
  points: { scale: number; wallMs: number }[];
}

/** Evaluate a named complexity at n, for fits that give a model name and a coefficient. */
function complexity(model: string, n: number): number | undefined {
  const m = model.toLowerCase().replace(/\s+/g, '').replace(/^o\((.*)\)$/, '$1');
  const table: Record<string, number> = { '1': 1, logn: Math.log2(n), n, nlogn: n * Math.log2(n), 'n^2': n * n, 'n²': n * n, n2: n * n, 'n^3': n ** 3, 'n³': n ** 3, n3: n ** 3 };
  return table[m];
}

/**
 * Time-vs-scale fits from `sections.scaling`. Accepts a list (or `{ fits | stages | entries }`) of objects with a stage
 * name and either explicit points (`points | curve | predictions | extrapolations`: [{ scale|n, wallMs|value|timeMs }])
 * or a power law (`a`/`coefficient` and `b`/`exponent`) or a named model with a coefficient.
 */
export function readScalingCurves(r: RunResults, targets: number[]): ScalingCurve[] | undefined {
  const rows = rowsOf(r.sections?.scaling, ['fits', 'stages', 'entries', 'time']);
  if (!rows) return undefined;
  const sec = r.sections.scaling;
  if (isObj(sec) && Array.isArray(sec.targets) && sec.targets.every((t) => num(t) !== undefined)) targets = sec.targets as number[];
  const out: ScalingCurve[] = [];
  for (const row of rows) {
    const stage = stageName(row);
    if (!stage) continue;
    const metric = str(row.metric) ?? str(row.quantity) ?? 'time';
    if (!(metric === 'wallMs' || metric === 'time') || stage === 'pipeline') continue;
    const fit = isObj(row.time) ? row.time : isObj(row.fit) ? row.fit : isObj(row.powerLaw) ? row.powerLaw : row;
    const measuredMax = firstNum(row, ['measuredMax', 'maxMeasuredScale', 'maxScale']) ?? Math.max(0, ...r.records.filter((x) => `${x.stage}/${x.method}` === stage && isMeasuredStatus(x.status)).map((x) => x.scale));
    let points: { scale: number; wallMs: number }[] = [];
    for (const k of ['points', 'curve', 'predictions', 'extrapolations', 'extrapolation']) {
      const arr = fit[k] ?? row[k];
      if (Array.isArray(arr)) {
        points = arr.filter(isObj).map((p) => ({ scale: firstNum(p, ['scale', 'n', 'target']) ?? NaN, wallMs: firstNum(p, ['wallMs', 'timeMs', 'value', 'predicted', 'estimate', 'ms']) ?? NaN }))
          .filter((p) => p.scale > 0 && p.wallMs > 0);
        if (points.length) break;
      }
    }
    let a = firstNum(fit, ['a', 'coefficient', 'coef', 'scale']);
    let b = firstNum(fit, ['b', 'exponent']);
    let model = str(fit.model) ?? str(fit.bigO) ?? str(fit.best) ?? (b !== undefined ? `a·n^${b.toFixed(2)}` : 'fit');
    // harness/analysis/scaling-law-fit.ts shape: { bigO, best, candidates: [{ complexity, coefficient }], powerLaw: { a, b } | null }.
    if (str(row.bigO)) {
      const pl = isObj(row.powerLaw) ? row.powerLaw : undefined;
      const best = rowsOf(row.candidates, [])?.find((c) => c.complexity === row.best);
      if (pl && num(pl.a) !== undefined && num(pl.b) !== undefined) { a = num(pl.a); b = num(pl.b); model = `${str(row.bigO)}, power law n^${b!.toFixed(2)}`; }
      else if (best && num(best.coefficient) !== undefined) { a = num(best.coefficient); b = undefined; model = String(row.best); }
    }
    if (points.length === 0 && a !== undefined) {
      const minScale = firstNum(row, ['measuredMin', 'minScale']) ?? Math.min(...r.records.filter((x) => `${x.stage}/${x.method}` === stage).map((x) => x.scale), measuredMax);
      const grid = [...new Set([minScale, measuredMax, ...targets].filter((x) => x > 0))].sort((x, y) => x - y);
      const expanded: number[] = [];
      for (let i = 0; i < grid.length; i++) {
        expanded.push(grid[i]);
        if (i + 1 < grid.length) for (let s = 1; s < 4; s++) expanded.push(grid[i] * (grid[i + 1] / grid[i]) ** (s / 4));
      }
      for (const n of expanded) {
        const base = b !== undefined ? n ** b : complexity(model, n);
        const v = base !== undefined ? a * base + (num(row.offset) ?? 0) : undefined;
        if (v !== undefined && v > 0) points.push({ scale: n, wallMs: v });
      }
    }
    if (points.length >= 2) out.push({ stage, model, measuredMax, points });
  }
  return out.length ? out : undefined;
}

/** One concurrency level of an API stage. */
export interface ConcurrencyPoint {
  stage: string;
  concurrency: number;
  throughput?: number;
  p95Ms?: number;
}

/** `sections.concurrency`: a list (or `{ levels | points | rows }`, possibly nested per stage) of levels. */
export function readConcurrency(r: RunResults): ConcurrencyPoint[] | undefined {
  const sec = r.sections?.concurrency;
  let rows = rowsOf(sec, ['levels', 'points', 'rows', 'results']);
  if (!rows && isObj(sec)) {
    // { "summarise/openai": [ ... ] } or { stages: [{ stage, levels: [...] }] }
    const nested = rowsOf(sec, ['stages']) ?? Object.entries(sec).filter(([, v]) => Array.isArray(v)).map(([k, v]) => ({ stage: k, levels: v }));
    rows = nested.flatMap((s) => (rowsOf(s, ['levels', 'points', 'rows']) ?? []).map((l) => ({ stage: stageName(s), ...l })));
  }
  if (!rows) return undefined;
  const out: ConcurrencyPoint[] = [];
  for (const row of rows) {
    const concurrency = firstNum(row, ['concurrency', 'level', 'c', 'pipelines']);
    if (concurrency === undefined) continue;
    const lat = isObj(row.latency) ? row.latency : isObj(row.latencyMs) ? row.latencyMs : undefined;
    out.push({
      stage: stageName(row) ?? 'api',
      concurrency,
      throughput: firstNum(row, ['throughput', 'throughputPerSec', 'itemsPerSec', 'requestsPerSec', 'rps', 'itemsPerMin', 'throughputPerMin', 'perMin']),
      p95Ms: firstNum(row, ['p95', 'p95Ms', 'latencyP95', 'latencyP95Ms']) ?? (lat ? firstNum(lat, ['p95']) : undefined),
    });
  }
  return out.length ? out : undefined;
}

/** Bytes per conversation of one storage component in one format. */
export interface StoragePoint {
  component: string;
  format: string;
  bytesPerConversation: number;
  scale?: number;
}

/**
 * `sections.storage`: rows with a component, a format (or codec), and bytes per conversation (or total bytes with a
 * scale / conversation count). Rows of the largest scale are kept.
 */
export function readStorage(r: RunResults): StoragePoint[] | undefined {
  const sec = r.sections?.storage;
  let rows = rowsOf(sec, ['rows', 'components', 'entries', 'items']);
  if (!rows && isObj(sec)) {
    const scales = rowsOf(sec, ['scales', 'perScale']);
    if (scales) rows = scales.flatMap((s) => (rowsOf(s, ['rows', 'components', 'entries']) ?? []).map((c) => ({ scale: s.scale, n: s.n, ...c })));
  }
  if (!rows) return undefined;
  const out: StoragePoint[] = [];
  for (const row of rows) {
    const component = str(row.component) ?? str(row.name) ?? str(row.kind);
    const format = [str(row.format), str(row.codec) ?? str(row.compression)].filter((x) => x && x !== 'none').join('+') || 'uncompressed';
    const scale = firstNum(row, ['scale', 'n', 'conversations', 'rows']);
    let per = firstNum(row, ['bytesPerConversation', 'perConversation', 'bytesPerRow']);
    const total = firstNum(row, ['bytes', 'totalBytes', 'size']);
    if (per === undefined && total !== undefined && scale) per = total / scale;
    if (component && per !== undefined) out.push({ component, format, bytesPerConversation: per, scale });
  }
  if (!out.length) return undefined;
  const maxScale = Math.max(...out.map((p) => p.scale ?? 0));
  return out.filter((p) => (p.scale ?? 0) === maxScale);
}

/** A generic table found in a section: a list of flat objects. */
export interface SectionTable {
  /** "" for the section itself, else the list's key inside it (e.g. "projections"). */
  part: string;
  columns: string[];
  rows: Record<string, unknown>[];
}

const isScalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Scalars of an object, and of its nested plain objects as "key.sub" (e.g. latencyMs.p95). */
function scalarsOf(o: Obj, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (isScalar(v)) out[prefix + k] = v;
    else if (isObj(v)) for (const [k2, v2] of Object.entries(v)) if (isScalar(v2)) out[`${prefix}${k}.${k2}`] = v2;
  }
  return out;
}

/** Rows of a list; an item holding a list of objects (levels, components, points) becomes one row per child. */
function flattenRows(items: Obj[]): Record<string, unknown>[] {
  return items.flatMap((item) => {
    const own = scalarsOf(item);
    const childKey = Object.keys(item).find((k) => Array.isArray(item[k]) && (item[k] as unknown[]).length > 0 && (item[k] as unknown[]).every(isObj));
    if (!childKey) return [own];
    return (item[childKey] as Obj[]).map((c) => ({ ...own, ...scalarsOf(c) }));
  });
}

/**
 * Read a section (e.g. `hardware`, `storage`) as tables of scalar fields, whatever its shape: a list, or an object
 * holding lists (one table per list). Nested lists are flattened one level; undefined when nothing tabular is found.
 */
export function readSectionTables(r: RunResults, name: string): SectionTable[] | undefined {
  const sec = r.sections?.[name];
  const lists: [string, Obj[]][] = Array.isArray(sec)
    ? [['', sec.filter(isObj)]]
    : isObj(sec) ? Object.entries(sec).filter(([, v]) => Array.isArray(v) && v.length > 0 && v.every(isObj)).map(([k, v]) => [k, v as Obj[]]) : [];
  const out: SectionTable[] = [];
  for (const [part, items] of lists) {
    const rows = flattenRows(items);
    const columns: string[] = [];
    for (const row of rows) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
    if (rows.length && columns.length) out.push({ part, columns, rows });
  }
  return out.length ? out : undefined;
}
