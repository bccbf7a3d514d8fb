import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { measureStorage, projectStorage } from '../../harness/analysis/storage-accounting.js';
import {
  ipcFileToPipelineFields,
  pipelineFieldsToTable,
  tableToIpcFile,
} from '../../harness/io/arrow-pipeline-data.js';
import { packTexts } from '../../pipeline/support/text-column.js';
import type { PipelineData, StorageScale } from '../../harness/types.js';
import { tempDir } from '../test-helpers.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { makeBlobs } from '../../generators/gaussian-blobs.js';
import { recordingContext } from '../recording-context.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';

function fakeRun(n: number, dims: number): PipelineData {
  const words = ['refund', 'invoice', 'password', 'reset', 'shipping', 'late', 'café', '注文', 'account', 'locked'];
  const text = (i: number, k: number): string =>
    Array.from({ length: k }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ');
  const data = new Float32Array(n * dims);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) / Math.sqrt(dims);
  return {
    n,
    conversations: packTexts(
      Array.from({ length: n }, (_, i) => `user: ${text(i, 40)}\nassistant: ${text(i + 1, 30)}`),
    ),
    truth: Int32Array.from({ length: n }, (_, i) => i % 7),
    summaries: packTexts(Array.from({ length: n }, (_, i) => text(i, 8))),
    embeddings: { rows: n, cols: dims, data },
    labels: Int32Array.from({ length: n }, (_, i) => i % 5),
    clusterInfo: [{ id: 0, size: 3, name: 'refunds' }],
  };
}

test('Arrow IPC round-trips pipeline fields with every codec, including buffers above the zstd chunk size', async () => {
  const d = fakeRun(6000, 64); // embeddings 1.5 MB > the 1 MiB zstd chunk
  for (const codec of ['none', 'lz4', 'zstd'] as const) {
    const bytes = await tableToIpcFile(
      pipelineFieldsToTable(d, ['conversations', 'embeddings', 'labels', 'clusterInfo']),
      codec,
    );
    const { n, fields } = await ipcFileToPipelineFields(bytes);
    assert.equal(n, 6000);
    assert.deepEqual(fields.embeddings!.data, d.embeddings!.data, codec);
    assert.deepEqual(fields.labels, d.labels, codec);
    assert.deepEqual(fields.conversations!.offsets, d.conversations!.offsets, codec);
    assert.deepEqual(fields.conversations!.bytes, d.conversations!.bytes, codec);
    assert.deepEqual(fields.clusterInfo, d.clusterInfo);
  }
});

test('storage accounting measures every component in every format, verified, and compressed is smaller', async () => {
  const dir = join(tempDir(), 'storage', 'n800');
  const s = await measureStorage(fakeRun(800, 32), 800, {
    formats: ['arrow', 'arrow-lz4', 'arrow-zstd', 'jsonl', 'parquet-zstd'],
    zstdLevel: 3,
    dir,
    keepFiles: false,
  });
  assert.equal(s.components.length, 4 * 5, '4 components x 5 formats');
  for (const c of s.components) assert.ok(c.verified && c.bytes > 0, `${c.component} ${c.format}`);
  const at = (component: string, format: string): number =>
    s.components.find((c) => c.component === component && c.format === format)!.bytes;
  // Embeddings uncompressed are n x d float32 plus framing: 800 * 32 * 4 = 102400 bytes.
  assert.ok(
    at('embeddings', 'arrow') >= 102_400 && at('embeddings', 'arrow') < 102_400 + 4096,
    String(at('embeddings', 'arrow')),
  );
  assert.ok(at('embeddings', 'jsonl') > at('embeddings', 'arrow'), 'JSON numbers take more room than float32');
  for (const f of ['arrow-lz4', 'arrow-zstd', 'parquet-zstd'])
    assert.ok(at('conversations', f) < at('conversations', 'arrow') / 2, f);
  assert.ok(at('conversations', 'arrow-zstd') < at('conversations', 'arrow-lz4'));
  const total = s.totals.find((t) => t.format === 'arrow')!;
  assert.equal(
    total.bytes,
    ['conversations', 'summaries', 'embeddings', 'clusters'].reduce((x, c) => x + at(c, 'arrow'), 0),
  );
  assert.ok(!existsSync(dir), 'files removed unless keepFiles');
});

test('storage projection fits a line over the measured scales and marks extrapolation', () => {
  const sc = (scale: number, bytes: number): StorageScale => ({
    scale,
    components: [],
    totals: [{ format: 'arrow', bytes, bytesPerConversation: bytes / scale }],
  });
  const p = projectStorage([sc(1000, 1000 * 500 + 4000), sc(4000, 4000 * 500 + 4000)], [2000, 1_000_000]);
  assert.equal(p.length, 2);
  assert.ok(Math.abs(p[0].bytes - (2000 * 500 + 4000)) < 1e-6);
  assert.equal(p[0].extrapolated, false);
  assert.ok(Math.abs(p[1].bytes - (1_000_000 * 500 + 4000)) < 1e-3);
  assert.equal(p[1].extrapolated, true);
  assert.deepEqual(p[1].fittedOn, [1000, 4000]);
});

test('storage accounting counts the HDBSCAN outputs (membership, outlier scores) in the clusters component, verified', async () => {
  const n = 600;
  const hdbscan = await loadStage('cluster', 'hdbscan');
  const embeddings = makeBlobs({ n, d: 8, centers: 4, std: 0.5, seed: 3 }).x;
  const out = await hdbscan.run(
    { n, embeddings },
    parseStageOptions(hdbscan, { minClusterSize: 10 }),
    recordingContext().ctx,
  );
  assert.ok(out.membership && out.outlierScores, 'the stage writes both');
  const formats = ['arrow', 'jsonl', 'parquet-zstd'] as const;
  const measure = (data: PipelineData, dir: string) =>
    measureStorage(data, n, { formats, zstdLevel: 3, dir: join(tempDir(), dir), keepFiles: false });
  const full = await measure({ n, embeddings, ...out }, 'full');
  const labelsOnly = await measure({ n, embeddings, labels: out.labels }, 'labels');
  const at = (s: StorageScale, format: string): { bytes: number; verified: boolean } =>
    s.components.find((c) => c.component === 'clusters' && c.format === format)!;
  for (const f of formats) assert.ok(at(full, f).verified, f);
  // Two float32 columns: 8 bytes a row more than the labels alone in Arrow.
  assert.ok(
    at(full, 'arrow').bytes - at(labelsOnly, 'arrow').bytes >= n * 8,
    `${at(full, 'arrow').bytes} vs ${at(labelsOnly, 'arrow').bytes}`,
  );
  assert.ok(at(full, 'jsonl').bytes > at(labelsOnly, 'jsonl').bytes + n * 20, 'and two more numbers per JSONL row');
  assert.ok(at(full, 'parquet-zstd').bytes > at(labelsOnly, 'parquet-zstd').bytes);
});
