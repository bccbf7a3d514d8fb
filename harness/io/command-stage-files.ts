/**
 * The files between the harness and a command stage: the stage's inputs written to a cell folder, a manifest.json
 * saying where they are and where to write the outputs, and the outputs read back and checked (shape, length,
 * dtype, label range). Formats: `npy` (matrices and vectors as .npy, text as JSONL, hierarchy/clusterInfo as JSON)
 * or `arrow` (one Arrow IPC file each way, columns named after the fields, as our checkpoints).
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tableFromIPC, Type, type DataType, type FixedSizeList } from 'apache-arrow';
import type { FieldLayout, Matrix, PipelineData, PipelineField, TextColumn } from '../types.js';
import {
  fieldEntries,
  fieldSpec,
  setField,
  wholeFromJson,
  wholeToJson,
  type FieldEntry,
} from '../../pipeline/pipeline-fields.js';
import { readNpyFile, writeNpyFile } from './npy-file.js';
import { ipcFileToPipelineFields, pipelineFieldsToTable, writeTableFileAtomic } from './arrow-pipeline-data.js';
import { writeFileAtomic } from './atomic-write.js';
import { packTexts, textAt } from '../../pipeline/support/text-column.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** A field's layout (pipeline/pipeline-fields.ts); whole-scale fields are JSON files. */
const layoutOf = (f: PipelineField): FieldLayout => fieldSpec(f).layout;
const EXT: Record<FieldLayout, 'jsonl' | 'npy' | 'json'> = {
  text: 'jsonl',
  matrix: 'npy',
  int32: 'npy',
  float32: 'npy',
  'int32-levels': 'json',
  json: 'json',
};
const isWhole = (f: PipelineField): boolean => fieldSpec(f).rows === 'whole-scale';

/** Where one field is (or is to be written). */
export interface CommandFileEntry {
  path: string;
  /** npy, jsonl, json or arrow (then `column` names the column of the shared file). */
  format: 'npy' | 'jsonl' | 'json' | 'arrow';
  /** For npy: float32 or int32; for arrow: the column's Arrow type. */
  dtype?: string;
  /** For npy inputs: the array's shape; for outputs, the expected shape (-1 = any). */
  shape?: number[];
  /** For jsonl: number of lines (one JSON string per line). */
  count?: number;
  column?: string;
}

/** manifest.json: everything a command needs to know. Its path is in CLUSTERBENCH_MANIFEST and `{manifest}`. */
export interface CommandManifest {
  version: 1;
  /** "cluster/sklearn-kmeans" and its profile key ("stages[1]"). */
  stage: string;
  profileKey: string;
  n: number;
  scale: number;
  repeat: number;
  seed: number;
  options: Record<string, unknown>;
  format: 'npy' | 'arrow';
  workdir: string;
  inputs: Partial<Record<PipelineField, CommandFileEntry>>;
  outputs: Partial<Record<PipelineField, CommandFileEntry>>;
  /** Optional: the command may write {"counters": {name: number}, "observations": {name: [number, ...]}} here. */
  metrics: string;
}

/** A problem with a command's output; message names the file and what was expected. */
export class CommandOutputError extends UserError {}

function writeJsonl(path: string, col: TextColumn, n: number): void {
  const fd = openSync(path, 'w');
  try {
    let chunk: string[] = [];
    for (let i = 0; i < n; i++) {
      chunk.push(JSON.stringify(textAt(col, i)));
      if (chunk.length === 4096 || i === n - 1) {
        writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
  } finally {
    closeSync(fd);
  }
}

function expectedShape(field: PipelineField, n: number): number[] | undefined {
  const layout = layoutOf(field);
  if (layout === 'matrix') return [n, fieldSpec(field).cols ?? -1];
  if (layout === 'int32' || layout === 'float32') return [n];
  return undefined;
}

/** Write the `reads` fields present in data into `dir`, and the manifest; returns the manifest and its path. */
export async function writeCommandInputs(
  dir: string,
  data: PipelineData,
  reads: readonly PipelineField[],
  writes: readonly PipelineField[],
  format: 'npy' | 'arrow',
  info: Pick<CommandManifest, 'stage' | 'profileKey' | 'scale' | 'repeat' | 'seed' | 'options'>,
): Promise<{ manifest: CommandManifest; manifestPath: string; bytes: number }> {
  const inDir = join(dir, 'inputs');
  const outDir = join(dir, 'outputs');
  mkdirSync(inDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const present = reads.filter((f) => data[f] !== undefined);
  const inputs: CommandManifest['inputs'] = {};
  const outputs: CommandManifest['outputs'] = {};
  let bytes = 0;
  if (format === 'arrow') {
    const path = join(inDir, 'inputs.arrow');
    if (present.length > 0) bytes += await writeTableFileAtomic(path, pipelineFieldsToTable(data, present));
    for (const f of present)
      inputs[f] = {
        path,
        format: 'arrow',
        column: f,
        ...(isWhole(f) ? { dtype: 'json in schema metadata clusterbench.' + f } : {}),
      };
    const outPath = join(outDir, 'outputs.arrow');
    for (const f of writes)
      outputs[f] = {
        path: outPath,
        format: 'arrow',
        column: f,
        ...(expectedShape(f, data.n) ? { shape: expectedShape(f, data.n) } : {}),
      };
  } else {
    for (const e of fieldEntries(data, present)) {
      const f = e.field;
      const path = join(inDir, `${f}.${EXT[e.layout]}`);
      if (e.layout === 'matrix') {
        const m = e.value;
        bytes += writeNpyFile(path, m.data.subarray(0, m.rows * m.cols), [m.rows, m.cols]);
        inputs[f] = { path, format: 'npy', dtype: 'float32', shape: [m.rows, m.cols] };
      } else if (e.layout === 'int32' || e.layout === 'float32') {
        bytes += writeNpyFile(path, e.value, [e.value.length]);
        inputs[f] = { path, format: 'npy', dtype: e.layout, shape: [e.value.length] };
      } else if (e.layout === 'text') {
        writeJsonl(path, e.value, data.n);
        inputs[f] = { path, format: 'jsonl', count: data.n };
      } else {
        writeFileAtomic(path, JSON.stringify(wholeToJson(e)));
        inputs[f] = { path, format: 'json' };
      }
    }
    for (const f of writes) {
      const layout = layoutOf(f);
      const shape = expectedShape(f, data.n);
      outputs[f] = {
        path: join(outDir, `${f}.${EXT[layout]}`),
        format: EXT[layout],
        ...(layout === 'matrix' || layout === 'float32'
          ? { dtype: 'float32' }
          : layout === 'int32'
            ? { dtype: 'int32' }
            : {}),
        ...(shape ? { shape } : {}),
        ...(layout === 'text' ? { count: data.n } : {}),
      };
    }
  }
  const manifest: CommandManifest = {
    version: 1,
    ...info,
    n: data.n,
    format,
    workdir: dir,
    inputs,
    outputs,
    metrics: join(outDir, 'metrics.json'),
  };
  const manifestPath = join(dir, 'manifest.json');
  writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return { manifest, manifestPath, bytes };
}

const shapeText = (s: readonly number[]): string =>
  `(${s.map((d) => (d < 0 ? 'any' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;

function checkLabels(labels: Int32Array, name: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < -1)
      throw new CommandOutputError(
        `${name}: label ${labels[i]} at row ${i}; labels are cluster ids >= 0, or -1 for noise`,
      );
  }
}

function checkFinite(a: Float32Array, cols: number, name: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]))
      throw new CommandOutputError(
        `${name}: ${a[i]} at row ${Math.floor(i / cols)}${cols > 1 ? `, column ${i % cols}` : ''}; values must be finite`,
      );
  }
}

function readJsonl(path: string, name: string, n: number): TextColumn {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== n)
    throw new CommandOutputError(
      `${name}: ${lines.length} lines, expected ${n} (one JSON string, or object with a "text" field, per conversation)`,
    );
  const texts = lines.map((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new CommandOutputError(`${name}: line ${i + 1}: not JSON (${(e as Error).message})`);
    }
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && typeof (v as { text?: unknown }).text === 'string')
      return (v as { text: string }).text;
    throw new CommandOutputError(
      `${name}: line ${i + 1}: expected a JSON string or an object with a "text" string field`,
    );
  });
  return packTexts(texts);
}

function readJsonField(path: string, name: string, field: PipelineField): FieldEntry {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CommandOutputError(`${name}: not JSON (${(e as Error).message})`);
  }
  if (layoutOf(field) === 'int32-levels') {
    if (!Array.isArray(v) || v.some((l) => !Array.isArray(l) || l.some((x) => !Number.isInteger(x))))
      throw new CommandOutputError(`${name}: expected a list of levels, each a list of integer parent ids`);
  } else if (
    field === 'clusterInfo' &&
    (!Array.isArray(v) ||
      v.some(
        (c: unknown) =>
          typeof c !== 'object' ||
          c === null ||
          !Number.isInteger((c as Record<string, unknown>).id) ||
          !Number.isInteger((c as Record<string, unknown>).size),
      ))
  ) {
    throw new CommandOutputError(
      `${name}: expected a list of objects with integer "id" and "size" (and optional "terms", "name")`,
    );
  }
  return wholeFromJson(field, v);
}

function readNpyOutput(field: PipelineField, path: string, name: string, n: number): FieldEntry {
  const arr = readNpyFile(path, name);
  const layout = layoutOf(field);
  const want = expectedShape(field, n)!;
  const fits = arr.shape.length === want.length && arr.shape.every((d, i) => want[i] < 0 || d === want[i]);
  const what =
    layout === 'int32'
      ? 'one int32 label per conversation'
      : layout === 'float32'
        ? 'one float32 per conversation'
        : `one float32 row per conversation${fieldSpec(field).cols ? `, ${fieldSpec(field).cols} columns` : ''}`;
  if (!fits)
    throw new CommandOutputError(`${name}: shape ${shapeText(arr.shape)}, expected ${shapeText(want)}: ${what}`);
  const intType = arr.data instanceof Int32Array;
  if (layout === 'int32' && !intType)
    throw new CommandOutputError(`${name}: dtype '${arr.descr}', expected an integer dtype ('<i4' or '<i8'): ${what}`);
  if (layout !== 'int32' && intType)
    throw new CommandOutputError(
      `${name}: dtype '${arr.descr}', expected float32 ('<f4'; '<f8' is converted): ${what}`,
    );
  if (arr.data instanceof Int32Array) {
    checkLabels(arr.data, name);
    return { field, layout: 'int32', value: arr.data };
  }
  checkFinite(arr.data, arr.shape[1] ?? 1, name);
  if (layout === 'float32') return { field, layout, value: arr.data };
  return {
    field,
    layout: 'matrix',
    value: { rows: arr.shape[0], cols: arr.shape[1], data: arr.data } satisfies Matrix,
  };
}

async function readArrowOutputs(
  path: string,
  name: string,
  writes: readonly PipelineField[],
  n: number,
): Promise<Partial<PipelineData>> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new CommandOutputError(`${name}: was not written`);
  }
  let table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new CommandOutputError(`${name}: not an Arrow IPC file (${(e as Error).message})`);
  }
  if (table.numRows !== n)
    throw new CommandOutputError(
      `${name}: ${table.numRows} rows, expected ${n} (one per conversation) in column(s) ${writes
        .filter((f) => !isWhole(f))
        .map((f) => `"${f}"`)
        .join(', ')}`,
    );
  for (const f of writes) {
    const layout = layoutOf(f);
    if (isWhole(f)) {
      if (table.schema.metadata.get(`clusterbench.${f}`) === undefined)
        throw new CommandOutputError(`${name}: no schema metadata "clusterbench.${f}" (a JSON string) for ${f}`);
      continue;
    }
    const field = table.schema.fields.find((x) => x.name === f);
    if (!field)
      throw new CommandOutputError(
        `${name}: no column "${f}" (columns: ${table.schema.fields.map((x) => x.name).join(', ') || 'none'})`,
      );
    // Every concrete Arrow type declares toString() ("Float32", "Int32"...); apache-arrow's DataType base class does not.
    const t = field.type as DataType & { toString(): string };
    const ok =
      layout === 'text'
        ? t.typeId === Type.Utf8
        : layout === 'int32'
          ? t.typeId === Type.Int &&
            (t as { bitWidth?: number }).bitWidth === 32 &&
            (t as { isSigned?: boolean }).isSigned === true
          : layout === 'float32'
            ? t.typeId === Type.Float && String(t) === 'Float32'
            : t.typeId === Type.FixedSizeList &&
              String((t as FixedSizeList).children[0].type) === 'Float32' &&
              (fieldSpec(f).cols === undefined || (t as FixedSizeList).listSize === fieldSpec(f).cols);
    const wanted =
      layout === 'text'
        ? 'utf8'
        : layout === 'int32'
          ? 'int32'
          : layout === 'float32'
            ? 'float32'
            : `fixed_size_list<float32>[${fieldSpec(f).cols ?? 'd'}]`;
    if (!ok) throw new CommandOutputError(`${name}: column "${f}" is ${String(t)}, expected ${wanted}`);
    if (table.getChild(f)!.nullCount > 0)
      throw new CommandOutputError(`${name}: column "${f}" has ${table.getChild(f)!.nullCount} nulls`);
  }
  const { fields } = await ipcFileToPipelineFields(bytes);
  if (fields.labels) checkLabels(fields.labels, `${name}: column "labels"`);
  return fields;
}

/** Read the `writes` fields the command wrote; throws CommandOutputError naming the file (relative to the cell folder). */
export async function readCommandOutputs(
  manifest: CommandManifest,
  writes: readonly PipelineField[],
): Promise<Partial<PipelineData>> {
  const n = manifest.n;
  const rel = (p: string): string => relative(manifest.workdir, p);
  if (manifest.format === 'arrow') {
    const path = manifest.outputs[writes[0]]!.path;
    const out = await readArrowOutputs(path, rel(path), writes, n);
    return Object.fromEntries(writes.map((f) => [f, out[f]]));
  }
  const out: Partial<PipelineData> = {};
  for (const f of writes) {
    const path = manifest.outputs[f]!.path;
    const name = rel(path);
    if (!existsSync(path))
      throw new CommandOutputError(
        `${name}: was not written (expected ${f}: ${layoutOf(f) === 'text' ? `${n} JSONL lines` : isWhole(f) ? 'JSON' : `.npy of shape ${shapeText(expectedShape(f, n)!)}`})`,
      );
    const layout = layoutOf(f);
    if (layout === 'text') setField(out, { field: f, layout, value: readJsonl(path, name, n) });
    else if (isWhole(f)) setField(out, readJsonField(path, name, f));
    else {
      try {
        setField(out, readNpyOutput(f, path, name, n));
      } catch (e) {
        throw e instanceof CommandOutputError ? e : new CommandOutputError((e as Error).message);
      }
    }
  }
  return out;
}

/** The command's own counters and observations (manifest.metrics), if it wrote them; throws CommandOutputError if malformed. */
export function readCommandMetrics(
  manifest: CommandManifest,
): { counters: Record<string, number>; observations: Record<string, number[]> } | undefined {
  if (!existsSync(manifest.metrics)) return undefined;
  const name = relative(manifest.workdir, manifest.metrics);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(manifest.metrics, 'utf8'));
  } catch (e) {
    throw new CommandOutputError(`${name}: not JSON (${(e as Error).message})`);
  }
  const m = (v ?? {}) as { counters?: unknown; observations?: unknown };
  const counters = (m.counters ?? {}) as Record<string, unknown>;
  const observations = (m.observations ?? {}) as Record<string, unknown>;
  if (typeof counters !== 'object' || Object.values(counters).some((x) => typeof x !== 'number' || !Number.isFinite(x)))
    throw new CommandOutputError(`${name}: "counters" must map names to numbers`);
  if (
    typeof observations !== 'object' ||
    Object.values(observations).some(
      (x) => !Array.isArray(x) || x.some((y) => typeof y !== 'number' || !Number.isFinite(y)),
    )
  )
    throw new CommandOutputError(`${name}: "observations" must map names to lists of numbers`);
  return { counters: counters as Record<string, number>, observations: observations as Record<string, number[]> };
}
