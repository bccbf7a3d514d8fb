/**
 * Storage accounting (profile `storage:`): after each scale, write the run's data per component (raw
 * conversations, summaries, embeddings, cluster assignments + metadata) in each format and report the bytes:
 *
 * - arrow, arrow-lz4, arrow-zstd: Arrow IPC files (harness/io/arrow-pipeline-data.ts), embeddings as
 *   FixedSizeList<Float32>; codecs from harness/io/arrow-codecs.ts. Verified by reading every value back.
 * - jsonl: what Kura checkpoints by default, one JSON object per row, embeddings as JSON numbers. Verified by line count.
 * - parquet-zstd: the JSONL converted by DuckDB (@duckdb/node-api) to Parquet with zstd, embeddings as FLOAT[d].
 *   Verified by row count plus UTF-8 byte totals (text), label sums, or the first and last rows exactly (matrices).
 *
 * Non-row metadata (clusterInfo, hierarchy) rides in the Arrow schema metadata, and in a small side JSON file for
 * JSONL and Parquet (counted in their bytes). Projections to 1M/10M fit bytes = a + b·n over the measured scales.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { linearRegression } from 'simple-statistics';
import type { Matrix, PipelineData, PipelineField, StorageMeasurement, StorageProjection, StorageScale, StorageSection, RunSections, TextColumn } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { StorageFormat } from '../profile/diagnostics-schema.js';
import type { SweepHooks } from '../sweep/sweep-hooks.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { FileWriteError } from '../io/errno-words.js';
import { verifyPipelineFieldsFile, pipelineFieldsToTable, writeTableFileAtomic, type ArrowCompression } from '../io/arrow-pipeline-data.js';
import { setZstdLevel } from '../io/arrow-codecs.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { textAt } from '../../pipeline/support/text-column.js';

/** The section key. */
export const STORAGE_SECTION = 'storage';

/** A storage component: a name, the PipelineData fields it holds, and the field that must be present. */
interface Component {
  name: string;
  fields: PipelineField[];
  main: PipelineField;
}

const COMPONENTS: Component[] = [
  { name: 'conversations', fields: ['conversations', 'truth'], main: 'conversations' },
  { name: 'summaries', fields: ['summaries'], main: 'summaries' },
  { name: 'embeddings', fields: ['embeddings'], main: 'embeddings' },
  { name: 'reduced', fields: ['reduced'], main: 'reduced' },
  { name: 'clusters', fields: ['labels', 'hierarchy', 'clusterInfo'], main: 'labels' },
  { name: 'projection', fields: ['projection'], main: 'projection' },
];

const ARROW_CODEC: Partial<Record<StorageFormat, ArrowCompression>> = { arrow: 'none', 'arrow-lz4': 'lz4', 'arrow-zstd': 'zstd' };

/** Options for one measurement. */
export interface StorageOptions {
  formats: readonly StorageFormat[];
  zstdLevel: number;
  /** Folder for the files (created); removed afterwards unless keepFiles. */
  dir: string;
  keepFiles: boolean;
}

const get = (data: PipelineData, f: PipelineField): unknown => (data as unknown as Record<string, unknown>)[f];

/** One JSON object per row, written in blocks to a temp file then renamed (atomic). Returns the metadata JSON, if any. */
function writeJsonl(path: string, data: PipelineData, comp: Component): string | undefined {
  const n = data.n;
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let written = 0;
  try {
    const conv = get(data, 'conversations') as TextColumn | undefined;
    const sums = get(data, 'summaries') as TextColumn | undefined;
    const truth = get(data, 'truth') as Int32Array | undefined;
    const labels = get(data, 'labels') as Int32Array | undefined;
    const m = get(data, comp.main) as Matrix | undefined;
    const row = (i: number): string => {
      switch (comp.name) {
        case 'conversations': return JSON.stringify({ id: i, text: textAt(conv!, i), ...(truth ? { truth: truth[i] } : {}) });
        case 'summaries': return JSON.stringify({ id: i, summary: textAt(sums!, i) });
        case 'clusters': return JSON.stringify({ id: i, cluster: labels![i] });
        default: return JSON.stringify({ id: i, [comp.main]: Array.from(m!.data.subarray(i * m!.cols, (i + 1) * m!.cols)) });
      }
    };
    const block: string[] = [];
    for (let i = 0; i < n; i++) {
      block.push(row(i));
      if (block.length === 2000 || i === n - 1) {
        const chunk = block.join('\n') + '\n';
        try {
          written += writeSync(fd, chunk);
        } catch (err) {
          // Bytes needed: what was written so far, scaled to every row (an estimate: rows vary in length).
          throw new FileWriteError(path, `storage accounting (about ${Math.ceil(((written + chunk.length) * n) / (i + 1))} bytes needed)`, err);
        }
        block.length = 0;
      }
    }
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw new FileWriteError(path, 'storage accounting', err);
  }
  if (comp.name !== 'clusters') return undefined;
  const meta: Record<string, unknown> = {};
  if (data.clusterInfo) meta.clusterInfo = data.clusterInfo;
  if (data.hierarchy) meta.hierarchy = data.hierarchy.map((l) => Array.from(l));
  return Object.keys(meta).length ? JSON.stringify(meta) : undefined;
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
    return (await db.connect()) as unknown as DuckConn;
  })();
  return duck;
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Read the Parquet file back: row count, plus byte totals (text), sums (ints) or the first and last rows (matrices). */
async function verifyParquet(c: DuckConn, out: string, data: PipelineData, comp: Component): Promise<boolean> {
  const file = `read_parquet(${sqlString(out)})`;
  const n = data.n;
  const intSum = (a: Int32Array): bigint => a.reduce((s, v) => s + BigInt(v), 0n);
  if (comp.name === 'conversations' || comp.name === 'summaries') {
    const col = get(data, comp.main) as TextColumn;
    const textCol = comp.name === 'conversations' ? 'text' : 'summary';
    const truth = comp.name === 'conversations' ? (get(data, 'truth') as Int32Array | undefined) : undefined;
    const [row] = (await c.runAndReadAll(`SELECT count(*), sum(strlen(${textCol}))${truth ? ', sum(truth)' : ''} FROM ${file}`)).getRows();
    return Number(row[0]) === n && Number(row[1]) === col.offsets[n] - col.offsets[0] && (!truth || row[2] === intSum(truth));
  }
  if (comp.name === 'clusters') {
    const [row] = (await c.runAndReadAll(`SELECT count(*), sum(cluster) FROM ${file}`)).getRows();
    return Number(row[0]) === n && row[1] === intSum(get(data, 'labels') as Int32Array);
  }
  const m = get(data, comp.main) as Matrix;
  const rows = (await c.runAndReadAll(`SELECT id, ${comp.main} FROM ${file} WHERE id IN (0, ${n - 1}) ORDER BY id`)).getRows();
  const [count] = (await c.runAndReadAll(`SELECT count(*) FROM ${file}`)).getRows()[0];
  return Number(count) === n && rows.every((r) => {
    const i = Number(r[0]);
    const items = (r[1] as { items: number[] }).items;
    return items.length === m.cols && items.every((v, j) => v === m.data[i * m.cols + j]);
  });
}

async function jsonlToParquet(jsonl: string, out: string, data: PipelineData, comp: Component): Promise<boolean> {
  const c = await duckdb();
  const cols = comp.name === 'conversations' ? `{id: 'INTEGER', text: 'VARCHAR'${data.truth ? ", truth: 'INTEGER'" : ''}}`
    : comp.name === 'summaries' ? "{id: 'INTEGER', summary: 'VARCHAR'}"
      : comp.name === 'clusters' ? "{id: 'INTEGER', cluster: 'INTEGER'}"
        : `{id: 'INTEGER', ${comp.main}: 'FLOAT[]'}`;
  const m = get(data, comp.main) as Matrix;
  const select = comp.name === 'conversations' || comp.name === 'summaries' || comp.name === 'clusters' ? '*' : `id, ${comp.main}::FLOAT[${m.cols}] AS ${comp.main}`;
  const tmp = `${out}.tmp-${process.pid}.parquet`;
  try {
    await c.run(`COPY (SELECT ${select} FROM read_json(${sqlString(jsonl)}, format='newline_delimited', columns=${cols}) ORDER BY id) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new FileWriteError(out, 'storage accounting', err);
  }
  return verifyParquet(c, out, data, comp);
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
      if (get(data, comp.main) === undefined) continue;
      for (const format of o.formats) {
        const codec = ARROW_CODEC[format];
        if (codec === undefined) continue;
        const t0 = performance.now();
        const path = join(o.dir, `${comp.name}.${format}.arrow`);
        const size = await writeTableFileAtomic(path, pipelineFieldsToTable(data, comp.fields), codec, 'storage accounting');
        const writeMs = performance.now() - t0;
        add(comp.name, format, size, writeMs, await verifyPipelineFieldsFile(path, data, comp.fields));
        done(path);
      }
      if (o.formats.includes('jsonl') || o.formats.includes('parquet-zstd')) {
        const path = join(o.dir, `${comp.name}.jsonl`);
        const t0 = performance.now();
        const meta = writeJsonl(path, data, comp);
        const metaPath = join(o.dir, `${comp.name}.meta.json`);
        if (meta) writeFileAtomic(metaPath, meta, 'storage accounting');
        const jsonlMs = performance.now() - t0;
        const metaBytes = meta ? statSync(metaPath).size : 0;
        if (o.formats.includes('jsonl')) add(comp.name, 'jsonl', statSync(path).size + metaBytes, jsonlMs, countLines(path) === n);
        if (o.formats.includes('parquet-zstd')) {
          const out = join(o.dir, `${comp.name}.parquet`);
          const t1 = performance.now();
          const verified = await jsonlToParquet(path, out, data, comp);
          add(comp.name, 'parquet-zstd', statSync(out).size + metaBytes, performance.now() - t1, verified);
          done(out);
        }
        done(path, metaPath);
      }
    }
  } finally {
    if (!o.keepFiles) {
      rmSync(o.dir, { recursive: true, force: true });
      try { rmdirSync(dirname(o.dir)); } catch { /* not empty: other scales' kept files, or not ours */ }
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
    const pts = scales.map((s) => [s.scale, s.totals.find((t) => t.format === format)?.bytes ?? NaN] as [number, number]).filter(([, b]) => Number.isFinite(b));
    if (pts.length === 0) continue;
    const distinct = new Set(pts.map(([x]) => x)).size;
    const fit = distinct >= 2 ? linearRegression(pts) : { m: pts[0][1] / pts[0][0], b: 0 };
    for (const scale of targets) {
      const bytes = Math.max(0, fit.b + fit.m * scale);
      out.push({ format, scale, bytes, bytesPerConversation: bytes / scale, extrapolated: scale > maxMeasured, fittedOn: pts.map(([x]) => x) });
    }
  }
  return out;
}

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
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
      const measured = await measureStorage(e.data, e.scale, { formats: spec.formats, zstdLevel: spec.zstdLevel, dir: join(runDir, 'storage', `n${e.scale}`), keepFiles: spec.keepFiles });
      const prev = sections.storage;
      const scales = [...(prev?.scales ?? []).filter((s) => s.scale !== e.scale), measured].sort((a, b) => a.scale - b.scale);
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
