/**
 * Storage accounting (profile `storage:`): after each scale, write the run's data per component (raw
 * conversations with their ids and truth, summaries, embeddings, reduced, cluster assignments with HDBSCAN membership
 * and outlier scores + metadata, projection; each PipelineData field's component is in pipeline/pipeline-fields.ts)
 * in each format and report the bytes:
 *
 * - arrow, arrow-lz4, arrow-zstd: Arrow IPC files (harness/io/arrow-pipeline-data.ts), embeddings as
 *   FixedSizeList<Float32>; codecs from harness/io/arrow-codecs.ts. Verified by reading every value back.
 * - jsonl: what Kura checkpoints by default, one JSON object per row, embeddings as JSON numbers. Verified by line count.
 * - parquet-zstd: the JSONL converted by DuckDB (@duckdb/node-api) to Parquet with zstd, embeddings as FLOAT[d].
 *   Verified by row count plus UTF-8 byte totals (text), int32 sums, and the first and last rows exactly (float32, matrices).
 *
 * Non-row metadata (clusterInfo, hierarchy) rides in the Arrow schema metadata, and in a small side JSON file for
 * JSONL and Parquet (counted in their bytes). Projections to 1M/10M fit bytes = a + b·n over the measured scales.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { linearRegression } from 'simple-statistics';
import type {
  PipelineData,
  PipelineField,
  StorageComponent,
  StorageMeasurement,
  StorageProjection,
  StorageScale,
  StorageSection,
  RunSections,
} from '../types.js';
import {
  fieldEntries,
  fieldSpec,
  isPerRow,
  PIPELINE_FIELD_NAMES,
  wholeToJson,
  type FieldEntry,
  type RowEntry,
} from '../../pipeline/pipeline-fields.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { StorageFormat } from '../profile/diagnostics-schema.js';
import type { SweepHooks } from '../sweep/sweep-hooks.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { FileWriteError } from '../io/errno-words.js';
import {
  verifyPipelineFieldsFile,
  pipelineFieldsToTable,
  writeTableFileAtomic,
  type ArrowCompression,
} from '../io/arrow-pipeline-data.js';
import { setZstdLevel } from '../io/arrow-codecs.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { textAt } from '../../pipeline/support/text-column.js';

/** The section key. */
export const STORAGE_SECTION = 'storage';

/** A storage component and the PipelineData fields it holds (pipeline/pipeline-fields.ts, in table order). */
interface Component {
  name: StorageComponent;
  fields: PipelineField[];
}

const COMPONENTS: Component[] = [];
for (const f of PIPELINE_FIELD_NAMES) {
  const name = fieldSpec(f).storage;
  const c = COMPONENTS.find((x) => x.name === name);
  if (c) c.fields.push(f);
  else COMPONENTS.push({ name, fields: [f] });
}

const ARROW_CODEC: Partial<Record<StorageFormat, ArrowCompression>> = {
  arrow: 'none',
  'arrow-lz4': 'lz4',
  'arrow-zstd': 'zstd',
};

/** Options for one measurement. */
export interface StorageOptions {
  formats: readonly StorageFormat[];
  zstdLevel: number;
  /** Folder for the files (created); removed afterwards unless keepFiles. */
  dir: string;
  keepFiles: boolean;
}

/** One JSONL value of row i of a per-row field. */
function jsonValue(e: RowEntry, i: number): unknown {
  switch (e.layout) {
    case 'text':
      return textAt(e.value, i);
    case 'matrix':
      return Array.from(e.value.data.subarray(i * e.value.cols, (i + 1) * e.value.cols));
    default:
      return e.value[i];
  }
}

const isRowEntry = (e: FieldEntry): e is RowEntry => isPerRow(e.field);

/**
 * One JSON object per row ({id, field: value, ...} for the component's per-row fields), written in blocks to a temp
 * file then renamed (atomic). Returns the JSON of its whole-scale fields, if any.
 */
function writeJsonl(path: string, data: PipelineData, entries: readonly FieldEntry[]): string | undefined {
  const n = data.n;
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let written = 0;
  const rowEntries = entries.filter(isRowEntry);
  try {
    const block: string[] = [];
    for (let i = 0; i < n; i++) {
      const row: Record<string, unknown> = { id: i };
      for (const e of rowEntries) row[e.field] = jsonValue(e, i);
      block.push(JSON.stringify(row));
      if (block.length === 2000 || i === n - 1) {
        const chunk = block.join('\n') + '\n';
        try {
          written += writeSync(fd, chunk);
        } catch (err) {
          // Bytes needed: what was written so far, scaled to every row (an estimate: rows vary in length).
          throw new FileWriteError(
            path,
            `storage accounting (about ${Math.ceil(((written + chunk.length) * n) / (i + 1))} bytes needed)`,
            err,
          );
        }
        block.length = 0;
      }
    }
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw new FileWriteError(path, 'storage accounting', err);
  }
  const whole = entries.filter((e) => !isRowEntry(e));
  return whole.length ? JSON.stringify(Object.fromEntries(whole.map((e) => [e.field, wholeToJson(e)]))) : undefined;
}

/** Newlines in a file, read in 4 MiB blocks (JSONL of 1M conversations is past readFileSync's 2 GiB). */
const countLines = (path: string): number => {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  let k = 0;
  try {
    for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0;) {
      for (let at = buf.indexOf(10, 0); at !== -1 && at < got; at = buf.indexOf(10, at + 1)) k++;
    }
  } finally {
    closeSync(fd);
  }
  return k;
};

type DuckConn = { run(sql: string): Promise<unknown>; runAndReadAll(sql: string): Promise<{ getRows(): unknown[][] }> };
let duck: Promise<DuckConn> | undefined;
async function duckdb(): Promise<DuckConn> {
  duck ??= (async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    return await db.connect();
  })();
  return duck;
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const column = (f: PipelineField): string => `"${f}"`;
const DUCK_TYPE: Record<RowEntry['layout'], string> = {
  text: 'VARCHAR',
  int32: 'INTEGER',
  float32: 'FLOAT',
  matrix: 'FLOAT[]',
};

/**
 * Read the Parquet file back: row count, plus UTF-8 byte totals (text), sums (int32) and the first and last rows
 * exactly (float32 and matrices).
 */
async function verifyParquet(c: DuckConn, out: string, n: number, entries: readonly RowEntry[]): Promise<boolean> {
  const file = `read_parquet(${sqlString(out)})`;
  const totals: string[] = ['count(*)'];
  const expected: Array<number | bigint> = [n];
  for (const e of entries) {
    if (e.layout === 'text') {
      totals.push(`sum(strlen(${column(e.field)}))`);
      expected.push(e.value.offsets[n] - e.value.offsets[0]);
    } else if (e.layout === 'int32') {
      totals.push(`sum(${column(e.field)})`);
      expected.push(e.value.reduce((s, v) => s + BigInt(v), 0n));
    }
  }
  const [row] = (await c.runAndReadAll(`SELECT ${totals.join(', ')} FROM ${file}`)).getRows();
  // count(*) and sum(strlen) come back as bigint; an empty sum is null.
  if (
    !expected.every((want, i) =>
      typeof want === 'bigint' ? row[i] === want || (n === 0 && row[i] === null) : Number(row[i] ?? 0) === want,
    )
  )
    return false;
  const exact = entries.filter((e) => e.layout === 'float32' || e.layout === 'matrix');
  if (exact.length === 0 || n === 0) return true;
  const rows = (
    await c.runAndReadAll(
      `SELECT id, ${exact.map((e) => column(e.field)).join(', ')} FROM ${file} WHERE id IN (0, ${n - 1}) ORDER BY id`,
    )
  ).getRows();
  return (
    rows.length === (n === 1 ? 1 : 2) &&
    rows.every((r) => {
      const i = Number(r[0]);
      return exact.every((e, j) => {
        if (e.layout === 'float32') return r[j + 1] === e.value[i];
        if (e.layout !== 'matrix') return false;
        const items = (r[j + 1] as { items: number[] }).items;
        return items.length === e.value.cols && items.every((v, k) => v === e.value.data[i * e.value.cols + k]);
      });
    })
  );
}

async function jsonlToParquet(jsonl: string, out: string, n: number, entries: readonly RowEntry[]): Promise<boolean> {
  const c = await duckdb();
  const cols = `{'id': 'INTEGER'${entries.map((e) => `, ${sqlString(e.field)}: '${DUCK_TYPE[e.layout]}'`).join('')}}`;
  const select = [
    'id',
    ...entries.map((e) =>
      e.layout === 'matrix' ? `${column(e.field)}::FLOAT[${e.value.cols}] AS ${column(e.field)}` : column(e.field),
    ),
  ].join(', ');
  const tmp = `${out}.tmp-${process.pid}.parquet`;
  try {
    await c.run(
      `COPY (SELECT ${select} FROM read_json(${sqlString(jsonl)}, format='newline_delimited', columns=${cols}) ORDER BY id) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new FileWriteError(out, 'storage accounting', err);
  }
  return verifyParquet(c, out, n, entries);
}

/** Measure every component present in data in every format. */
export async function measureStorage(data: PipelineData, scale: number, o: StorageOptions): Promise<StorageScale> {
  mkdirSync(o.dir, { recursive: true });
  setZstdLevel(o.zstdLevel);
  const n = data.n;
  const components: StorageMeasurement[] = [];
  const add = (component: string, format: string, bytes: number, writeMs: number, verified: boolean): void =>
    void components.push({ component, format, bytes, bytesPerConversation: bytes / Math.max(n, 1), writeMs, verified });
  // One format at a time: each file is removed once measured (unless keepFiles), so the temporary disk needed is
  // the largest single component's JSONL + Parquet, not the sum of every format of every component.
  let peakTempBytes = 0;
  const onDisk = (): void => {
    let sum = 0;
    for (const f of readdirSync(o.dir)) sum += statSync(join(o.dir, f)).size;
    peakTempBytes = Math.max(peakTempBytes, sum);
  };
  const done = (...paths: string[]): void => {
    onDisk();
    if (!o.keepFiles) for (const p of paths) rmSync(p, { force: true });
  };
  try {
    for (const comp of COMPONENTS) {
      const entries = fieldEntries(data, comp.fields);
      if (!entries.some(isRowEntry)) continue; // a component is its per-row data; whole-scale metadata rides along
      for (const format of o.formats) {
        const codec = ARROW_CODEC[format];
        if (codec === undefined) continue;
        const t0 = performance.now();
        const path = join(o.dir, `${comp.name}.${format}.arrow`);
        const size = await writeTableFileAtomic(
          path,
          pipelineFieldsToTable(data, comp.fields),
          codec,
          'storage accounting',
        );
        const writeMs = performance.now() - t0;
        add(comp.name, format, size, writeMs, await verifyPipelineFieldsFile(path, data, comp.fields));
        done(path);
      }
      if (o.formats.includes('jsonl') || o.formats.includes('parquet-zstd')) {
        const path = join(o.dir, `${comp.name}.jsonl`);
        const t0 = performance.now();
        const meta = writeJsonl(path, data, entries);
        const metaPath = join(o.dir, `${comp.name}.meta.json`);
        if (meta) writeFileAtomic(metaPath, meta, 'storage accounting');
        const jsonlMs = performance.now() - t0;
        const metaBytes = meta ? statSync(metaPath).size : 0;
        if (o.formats.includes('jsonl'))
          add(comp.name, 'jsonl', statSync(path).size + metaBytes, jsonlMs, countLines(path) === n);
        if (o.formats.includes('parquet-zstd')) {
          const out = join(o.dir, `${comp.name}.parquet`);
          const t1 = performance.now();
          const verified = await jsonlToParquet(path, out, n, entries.filter(isRowEntry));
          add(comp.name, 'parquet-zstd', statSync(out).size + metaBytes, performance.now() - t1, verified);
          done(out);
        }
        done(path, metaPath);
      }
    }
  } finally {
    if (!o.keepFiles) {
      rmSync(o.dir, { recursive: true, force: true });
      try {
        rmdirSync(dirname(o.dir));
      } catch {
        /* not empty: other scales' kept files, or not ours */
      }
    }
  }
  const totals = o.formats.map((format) => {
    const bytes = components.filter((c) => c.format === format).reduce((s, c) => s + c.bytes, 0);
    return { format, bytes, bytesPerConversation: bytes / Math.max(n, 1) };
  });
  return { scale, components, totals, peakTempBytes };
}

/** Fit bytes = a + b·n per format over the measured scales (proportional with one scale) and evaluate at targets. */
export function projectStorage(scales: readonly StorageScale[], targets: readonly number[]): StorageProjection[] {
  const out: StorageProjection[] = [];
  const formats = [...new Set(scales.flatMap((s) => s.totals.map((t) => t.format)))];
  const maxMeasured = Math.max(...scales.map((s) => s.scale));
  for (const format of formats) {
    const pts = scales
      .map((s) => [s.scale, s.totals.find((t) => t.format === format)?.bytes ?? NaN] as [number, number])
      .filter(([, b]) => Number.isFinite(b));
    if (pts.length === 0) continue;
    const distinct = new Set(pts.map(([x]) => x)).size;
    const fit = distinct >= 2 ? linearRegression(pts) : { m: pts[0][1] / pts[0][0], b: 0 };
    for (const scale of targets) {
      const bytes = Math.max(0, fit.b + fit.m * scale);
      out.push({
        format,
        scale,
        bytes,
        bytesPerConversation: bytes / scale,
        extrapolated: scale > maxMeasured,
        fittedOn: pts.map(([x]) => x),
      });
    }
  }
  return out;
}

function pkgVersion(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(packageRoot(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

/** Hooks that measure storage after each scale and keep sections.storage up to date (kept across resumes). */
export function createStorageHooks(runDir: string, profile: SweepProfile, sections: RunSections): SweepHooks {
  const spec = profile.storage!;
  return {
    async scaleDone(e) {
      if (!e.data) return;
      const measured = await measureStorage(e.data, e.scale, {
        formats: spec.formats,
        zstdLevel: spec.zstdLevel,
        dir: join(runDir, 'storage', `n${e.scale}`),
        keepFiles: spec.keepFiles,
      });
      const prev = sections.storage;
      const scales = [...(prev?.scales ?? []).filter((s) => s.scale !== e.scale), measured].sort(
        (a, b) => a.scale - b.scale,
      );
      const section: StorageSection = {
        codecs: {
          zstd: `zstd-codec ${pkgVersion('zstd-codec')} (WebAssembly, level ${spec.zstdLevel})`,
          lz4: `lz4js ${pkgVersion('lz4js')} (LZ4 frame)`,
          parquet: `@duckdb/node-api ${pkgVersion('@duckdb/node-api')} (Parquet, zstd)`,
          arrow: `apache-arrow ${pkgVersion('apache-arrow')}`,
        },
        embeddingDims: e.data.embeddings?.cols ?? prev?.embeddingDims,
        scales,
        projections: projectStorage(scales, spec.projectTo),
      };
      sections.storage = section;
    },
  };
}
