/**
 * A text column above 2 GiB (BENCH_LARGE=1; skipped otherwise): packed by the sweep's ConversationPacker, sent to a
 * worker and back by transfer, cut into row pieces and joined, written as an Arrow checkpoint and read back. Prints
 * time and peak RSS per step. Needs about 2.5x the column in RAM and 1x on disk (BENCH_LARGE_GIB, default 2.2).
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ConversationPacker } from '../harness/sweep/sweep-input.js';
import {
  pipelineFieldsToTable,
  readPipelineFieldsFile,
  writeTableFileAtomic,
} from '../harness/io/arrow-pipeline-data.js';
import { joinRows, rowRanges, sliceRows } from '../harness/workers/row-split.js';
import { pipelineBuffers } from '../harness/workers/transfer-list.js';
import { textAt, textBytes } from '../pipeline/support/text-column.js';
import { formatBytes } from '../pipeline/support/format-units.js';
import type { PipelineData } from '../harness/types.js';

if (process.env.BENCH_LARGE !== '1') {
  console.log('text-column-large: skipped (set BENCH_LARGE=1: packs a text column above 2 GiB)');
  process.exit(0);
}
const targetBytes = Number(process.env.BENCH_LARGE_GIB ?? 2.2) * 2 ** 30;
const step = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = await f();
  const c = process.cpuUsage(c0);
  console.log(
    `${name.padEnd(34)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s wall ${((c.user + c.system) / 1e6).toFixed(1).padStart(6)} s CPU   RSS ${formatBytes(process.memoryUsage.rss())}`,
  );
  return out;
};

const body = 'user: my invoice shows a charge I do not recognise, can you refund it? '.repeat(48); // ~3.4 KB
const packed = await step('pack (ConversationPacker)', () => {
  const p = new ConversationPacker();
  for (let i = 0; p.count * (body.length + 16) < targetBytes; i++)
    p.add({ id: `c${i}`, messages: [{ role: 'user', content: `${i} ${body}` }] });
  return p.finish();
});
let data: PipelineData = packed.data;
const col = data.conversations!;
console.log(
  `column: ${data.n.toLocaleString('en-US')} rows, ${formatBytes(textBytes(col))} (${textBytes(col) > 2 ** 31 ? 'above' : 'below'} 2 GiB)`,
);
const last = textAt(col, data.n - 1);

data = await step(
  'transfer to a worker and back',
  () =>
    new Promise<PipelineData>((resolve, reject) => {
      const w = new Worker(
        'const { parentPort } = require("node:worker_threads"); parentPort.once("message", (d) => parentPort.postMessage(d, [d.conversations.bytes.buffer, d.conversations.offsets.buffer]));',
        { eval: true },
      );
      w.once('message', (d: PipelineData) => {
        void w.terminate();
        resolve(d);
      });
      w.once('error', reject);
      w.postMessage(data, pipelineBuffers(data));
    }),
);
if (textAt(data.conversations!, data.n - 1) !== last) throw new Error('transfer changed the text');

const joined = await step('slice into 2 pieces and join', () => {
  const pieces = rowRanges(data.n, 2).map(([f, t]) =>
    sliceRows({ n: data.n, conversations: data.conversations }, f, t),
  );
  return joinRows(pieces, ['conversations']).conversations!;
});
if (textAt(joined, data.n - 1) !== last) throw new Error('join changed the text');

const path = join(tmpdir(), `clusterbench-large-${process.pid}.arrow`);
try {
  const size = await step('Arrow checkpoint write (1 GiB batches)', () =>
    writeTableFileAtomic(path, pipelineFieldsToTable(data, ['conversations', 'truth'])),
  );
  console.log(`checkpoint: ${formatBytes(size)}`);
  const back = await step('Arrow checkpoint read (batch by batch)', () => readPipelineFieldsFile(path));
  if (back.n !== data.n || textAt(back.fields.conversations!, data.n - 1) !== last)
    throw new Error('checkpoint changed the text');
} finally {
  rmSync(path, { force: true });
}
console.log(`peak RSS ${formatBytes(process.resourceUsage().maxRSS * 1024)}`);
