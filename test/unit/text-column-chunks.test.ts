/**
 * Text columns of any size: float64 offsets in memory, Utf8 record batches of bounded size on disk. The 2 GiB case
 * itself runs in bench/text-column-large.bench.ts (BENCH_LARGE=1); here a tiny batch limit puts boundaries
 * everywhere: mid-column, at a row bigger than the limit, at empty rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  pipelineFieldsToTable,
  readPipelineFieldsFile,
  writeTableFileAtomic,
} from '../../harness/io/arrow-pipeline-data.js';
import { joinRows, rowRanges, sliceRows } from '../../harness/workers/row-split.js';
import { packTexts, textAt, unpackTexts, utf8Batch, utf8BatchRanges } from '../../pipeline/support/text-column.js';
import type { PipelineData } from '../../harness/types.js';
import { tempDir } from '../test-helpers.js';

const texts = ['', 'a', 'héllo wörld', 'x'.repeat(50), '', '注文の払い戻し', 'bb', 'c'.repeat(9), ''];

test('batch ranges keep every batch under the byte limit, give an oversized row its own batch, and cover every row once', () => {
  const col = packTexts(texts);
  const ranges = utf8BatchRanges([col], texts.length, 16);
  assert.equal(ranges[0][0], 0);
  assert.equal(ranges[ranges.length - 1][1], texts.length);
  for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i][0], ranges[i - 1][1], 'contiguous');
  for (const [from, to] of ranges) {
    const bytes = col.offsets[to] - col.offsets[from];
    assert.ok(bytes <= 16 || to - from === 1, `rows ${from}..${to}: ${bytes} bytes`);
  }
  assert.ok(
    ranges.some(([f, t]) => f === 3 && t === 4),
    'the 50-byte row stands alone',
  );
  // Two columns count together; a row cap applies too.
  const two = utf8BatchRanges([col, col], texts.length, 16, 2);
  for (const [from, to] of two)
    assert.ok(to - from <= 2 && (2 * (col.offsets[to] - col.offsets[from]) <= 16 || to - from === 1));
  const b = utf8Batch(col, 5, 8);
  assert.ok(b.offsets instanceof Int32Array);
  assert.equal(new TextDecoder().decode(b.bytes.subarray(b.offsets[0], b.offsets[1])), '注文の払い戻し');
});

test('an Arrow checkpoint cut into many small batches reads back byte-for-byte, with the other fields aligned', async () => {
  const n = 500;
  const conv = packTexts(Array.from({ length: n }, (_, i) => (i % 37 === 0 ? '' : `row ${i} ${'é'.repeat(i % 11)}`)));
  const sums = packTexts(Array.from({ length: n }, (_, i) => `s${i}`));
  const data: PipelineData = {
    n,
    conversations: conv,
    summaries: sums,
    truth: Int32Array.from({ length: n }, (_, i) => i * 3),
    embeddings: { rows: n, cols: 3, data: Float32Array.from({ length: n * 3 }, (_, i) => i / 7) },
  };
  const table = pipelineFieldsToTable(data, ['conversations', 'summaries', 'truth', 'embeddings'], {}, 200);
  assert.ok(table.batches.length > 10, `${table.batches.length} batches`);
  const path = join(tempDir(), 'cp.arrow');
  await writeTableFileAtomic(path, table, 'zstd');
  const { n: m, fields } = await readPipelineFieldsFile(path);
  assert.equal(m, n);
  assert.deepEqual(unpackTexts(fields.conversations!), unpackTexts(conv));
  assert.deepEqual(fields.conversations!.offsets, conv.offsets);
  assert.deepEqual(fields.summaries!.bytes, sums.bytes);
  assert.deepEqual(fields.truth, data.truth);
  assert.deepEqual(fields.embeddings!.data, data.embeddings!.data);
});

test('row slices and joins keep float64 offsets exact across piece boundaries', () => {
  const col = packTexts(texts);
  const data: PipelineData = { n: texts.length, conversations: col };
  const pieces = rowRanges(texts.length, 4).map(([f, t]) => sliceRows(data, f, t));
  for (const p of pieces) assert.equal(p.conversations!.offsets[0], 0);
  const joined = joinRows(pieces, ['conversations']);
  assert.ok(joined.conversations!.offsets instanceof Float64Array);
  assert.deepEqual(joined.conversations!.offsets, col.offsets);
  assert.equal(textAt(joined.conversations!, 5), '注文の払い戻し');
});
