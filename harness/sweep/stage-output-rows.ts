/**
 * The row count of what a user's stage returned: every per-row field it writes must have one row per conversation
 * (49 labels for 50 rows would be scored against the wrong conversations). Built-in stages are trusted; module
 * stages are checked here, command stages in harness/io/command-stage-files.ts as they are read back.
 */
import type { PipelineData, PipelineField } from '../types.js';
import { fieldSpec } from '../../pipeline/pipeline-fields.js';
import { textCount } from '../../pipeline/support/text-column.js';

/** The rows and expected shape of one field's value, or undefined for whole-scale or absent fields. */
function rowsOf(field: PipelineField, v: unknown): { rows: number; shape: (n: number) => string } | undefined {
  const spec = fieldSpec(field);
  if (spec.rows !== 'per-row' || v === undefined) return undefined;
  if (spec.layout === 'text')
    return { rows: textCount(v as Parameters<typeof textCount>[0]), shape: (n) => `a TextColumn of ${n} texts` };
  if (spec.layout === 'matrix') {
    const m = v as { rows: number; cols: number };
    return { rows: m.rows, shape: (n) => `a Matrix of ${n} rows x ${spec.cols ?? m.cols} columns` };
  }
  const a = v as Int32Array | Float32Array;
  return {
    rows: a.length,
    shape: (n) => `${spec.layout === 'int32' ? 'an Int32Array' : 'a Float32Array'} of length ${n}`,
  };
}

/**
 * A message naming the profile key, the module file, the field and the expected shape when an output has the wrong
 * number of rows (or a written field is missing); undefined when all fit.
 */
export function outputRowProblem(
  out: Partial<PipelineData> | undefined,
  writes: readonly PipelineField[],
  n: number,
  where: { profileKey: string; file: string },
): string | undefined {
  for (const f of writes) {
    const v = out?.[f];
    if (v === undefined)
      return `${where.profileKey} (${where.file}): returned no "${f}", which the stage declares in writes`;
    const r = rowsOf(f, v);
    if (r && r.rows !== n)
      return `${where.profileKey} (${where.file}): output "${f}" has ${r.rows} rows, expected ${r.shape(n)}: one per conversation`;
  }
  return undefined;
}
