/**
 * Every PipelineData field in one table: how its value is laid out, whether it holds one entry per conversation
 * (per-row) or one value for the whole scale, and the storage component it is counted under. Transfer lists, row
 * splitting, Arrow files (checkpoints, cell files, command stages), storage accounting and the stage-definition checks
 * all read this table, so a new field is its line in PipelineData plus one line here; the `satisfies` clause fails
 * tsc when a field is missing or its layout does not match its type.
 */
import type { Matrix, PipelineData, PipelineField, TextColumn } from './contracts.js';

/** Per-row layouts: one entry per conversation; sliced by row split, one Arrow column each. */
export type RowLayout = 'text' | 'matrix' | 'int32' | 'float32';
/** Whole-scale layouts: one value for every row; given whole to each row chunk, JSON in Arrow schema metadata. */
export type WholeLayout = 'int32-levels' | 'json';
/** How a field's value is laid out. */
export type FieldLayout = RowLayout | WholeLayout;

/** The value type of each layout (`json`: any JSON-serialisable value). */
export interface LayoutValue {
  text: TextColumn;
  matrix: Matrix;
  int32: Int32Array;
  float32: Float32Array;
  'int32-levels': Int32Array[];
  json: unknown;
}

/** The storage components of storage accounting (harness/analysis/storage-accounting.ts), in report order. */
export type StorageComponent = 'conversations' | 'summaries' | 'embeddings' | 'reduced' | 'clusters' | 'projection';

/** One row of the table. */
export type FieldSpec = ({ rows: 'per-row'; layout: RowLayout } | { rows: 'whole-scale'; layout: WholeLayout }) & {
  storage: StorageComponent;
  /** Matrices with a fixed column count (projection: 2); others take their width from the data. */
  cols?: number;
  /** Ground truth for scoring: no stage may read or write it. */
  scoringOnly?: true;
};

type LayoutOf<T> = T extends TextColumn
  ? 'text'
  : T extends Matrix
    ? 'matrix'
    : T extends Int32Array
      ? 'int32'
      : T extends Float32Array
        ? 'float32'
        : T extends Int32Array[]
          ? 'int32-levels'
          : 'json';

/** The table's type: every field, with the layout its TypeScript type has. */
type FieldTable = { [F in PipelineField]-?: FieldSpec & { layout: LayoutOf<NonNullable<PipelineData[F]>> } };

/** The table. Order is report order (storage components appear in the order of their first field). */
export const PIPELINE_FIELDS = {
  conversations: { layout: 'text', rows: 'per-row', storage: 'conversations' },
  conversationIds: { layout: 'text', rows: 'per-row', storage: 'conversations' },
  truth: { layout: 'int32', rows: 'per-row', storage: 'conversations', scoringOnly: true },
  summaries: { layout: 'text', rows: 'per-row', storage: 'summaries' },
  embeddings: { layout: 'matrix', rows: 'per-row', storage: 'embeddings' },
  reduced: { layout: 'matrix', rows: 'per-row', storage: 'reduced' },
  labels: { layout: 'int32', rows: 'per-row', storage: 'clusters' },
  membership: { layout: 'float32', rows: 'per-row', storage: 'clusters' },
  outlierScores: { layout: 'float32', rows: 'per-row', storage: 'clusters' },
  hierarchy: { layout: 'int32-levels', rows: 'whole-scale', storage: 'clusters' },
  clusterInfo: { layout: 'json', rows: 'whole-scale', storage: 'clusters' },
  projection: { layout: 'matrix', rows: 'per-row', storage: 'projection', cols: 2 },
} as const satisfies FieldTable;

const specs: Record<PipelineField, FieldSpec> = PIPELINE_FIELDS;

/** Every field name, in table order. */
export const PIPELINE_FIELD_NAMES: readonly PipelineField[] = Object.keys(specs).filter(
  (f): f is PipelineField => f in specs,
);

/** The fields a stage may read or write (all but scoring-only ones). */
export const STAGE_FIELD_NAMES: readonly PipelineField[] = PIPELINE_FIELD_NAMES.filter((f) => !specs[f].scoringOnly);

/** The table row of a field. */
export const fieldSpec = (f: PipelineField): FieldSpec => specs[f];

/** True for a name of a PipelineField (run-time check of user input: module stages, Arrow columns). */
export const isPipelineField = (name: string): name is PipelineField => Object.hasOwn(specs, name);

/** True when the field holds one entry per conversation. */
export const isPerRow = (f: PipelineField): boolean => specs[f].rows === 'per-row';

/** A present field with its layout: a switch on `layout` narrows `value`. */
export type FieldEntry = {
  [L in FieldLayout]: { field: PipelineField; layout: L; value: LayoutValue[L] };
}[FieldLayout];
/** A per-row FieldEntry. */
export type RowEntry = Extract<FieldEntry, { layout: RowLayout }>;

/** The field of data with its layout, or undefined when absent. */
export function fieldEntry(data: Partial<PipelineData>, field: PipelineField): FieldEntry | undefined {
  const value = data[field];
  // The table's `satisfies` clause ties each field's layout to its type, so this pairing holds; tsc cannot follow
  // that correlation through the union, hence the assertion.
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- correlated union (layout <-> value type)
  return value === undefined ? undefined : ({ field, layout: specs[field].layout, value } as FieldEntry);
}

/** The entries of `fields` (default: all) present in data, in table order. */
export function fieldEntries(
  data: Partial<PipelineData>,
  fields: readonly PipelineField[] = PIPELINE_FIELD_NAMES,
): FieldEntry[] {
  const out: FieldEntry[] = [];
  for (const f of PIPELINE_FIELD_NAMES) {
    if (!fields.includes(f)) continue;
    const e = fieldEntry(data, f);
    if (e) out.push(e);
  }
  return out;
}

/** Set `entry.field` of out to `entry.value` (the inverse of fieldEntry). */
export function setField(out: Partial<PipelineData>, entry: FieldEntry): void {
  (out as Record<PipelineField, unknown>)[entry.field] = entry.value;
}

/** The given fields of data (those present), sharing its buffers. */
export function pickFields(data: PipelineData, fields: readonly PipelineField[]): PipelineData {
  const out: PipelineData = { n: data.n };
  for (const e of fieldEntries(data, fields)) setField(out, e);
  return out;
}

/** Rows of a per-row value (text: offsets minus one). */
export function entryRows(e: RowEntry): number {
  switch (e.layout) {
    case 'text':
      return e.value.offsets.length - 1;
    case 'matrix':
      return e.value.rows;
    default:
      return e.value.length;
  }
}

/** The typed arrays behind an entry (for transfer lists). */
export function entryViews(e: FieldEntry): ArrayBufferView[] {
  switch (e.layout) {
    case 'text':
      return [e.value.bytes, e.value.offsets];
    case 'matrix':
      return [e.value.data];
    case 'int32':
    case 'float32':
      return [e.value];
    case 'int32-levels':
      return e.value;
    case 'json':
      return [];
  }
}

/** A whole-scale value as plain JSON (Arrow schema metadata, command-stage files, storage side files). */
export function wholeToJson(e: FieldEntry): unknown {
  return e.layout === 'int32-levels' ? e.value.map((level) => Array.from(level)) : e.value;
}

/** The inverse of wholeToJson for a whole-scale field, from parsed JSON. */
export function wholeFromJson(field: PipelineField, json: unknown): FieldEntry {
  const layout = specs[field].layout;
  if (layout === 'int32-levels') {
    if (!Array.isArray(json)) throw new Error(`${field}: expected a list of levels`);
    return {
      field,
      layout,
      value: json.map((level: unknown, i) => {
        if (!Array.isArray(level) || level.some((x) => !Number.isInteger(x)))
          throw new Error(`${field}[${i}]: expected a list of integers`);
        return Int32Array.from(level);
      }),
    };
  }
  return { field, layout: 'json', value: json };
}
