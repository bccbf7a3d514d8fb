/** Typed arrays of 4 GiB or more cross threads whole (harness/workers/transfer-list.ts: boxLargeViews). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { boxLargeViews, pipelineBuffers, unboxLargeViews } from '../harness/workers/transfer-list.js';
import type { PipelineData } from '../harness/types.js';

const moduleUrl = new URL('../harness/workers/transfer-list.js', import.meta.url).href;

/** Post `message` to a fresh worker that unboxes it and answers with what it received. */
async function roundTrip(
  message: unknown,
  transfer: ArrayBuffer[],
): Promise<{ length: number; last: number; type: string }> {
  const w = new Worker(
    `import { parentPort } from 'node:worker_threads';
     const { unboxLargeViews } = await import(${JSON.stringify(moduleUrl)});
     parentPort.once('message', (m) => {
       const v = unboxLargeViews(m).embeddings.data;
       parentPort.postMessage({ length: v.length, last: v[v.length - 1], type: v.constructor.name });
     });`,
    { eval: true },
  );
  try {
    return await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.postMessage(message, transfer);
    });
  } finally {
    await w.terminate();
  }
}

// 2^32 + 64 bytes: calloc'd pages that are never touched, so the test costs a few pages of RSS, not 4 GiB.
const n = 2 ** 28 + 4;
const big = (): PipelineData => {
  const data = new Float32Array(n * 4);
  data[data.length - 1] = 7.5;
  return { n, embeddings: { rows: n, cols: 4, data } };
};

test('a 4 GiB matrix arrives whole in a worker when boxed; posted as it is, V8 truncates it to its byte length mod 2^32', async () => {
  const plain = big();
  const truncated = await roundTrip(plain, pipelineBuffers(plain));
  assert.equal(truncated.length, 16, 'V8 writes the view length in 32 bits: the defect this guards against');
  const data = big();
  const got = await roundTrip(boxLargeViews(data), pipelineBuffers(data));
  assert.deepEqual(got, { length: n * 4, last: 7.5, type: 'Float32Array' });
});

test('boxing leaves small views, options and plain values alone, and round-trips offsets and types', () => {
  const small = new Int32Array([1, 2, 3]);
  const msg = { input: { n: 3, labels: small }, options: { k: 3, names: ['a'] }, seed: 1 };
  assert.equal(boxLargeViews(msg), msg, 'nothing large: the same object, no copy');
  const buffer = new ArrayBuffer(2 ** 32 + 8);
  const view = new Uint8Array(buffer, 8);
  const boxed = boxLargeViews({ a: [view], b: small });
  assert.notEqual(boxed.a[0], view);
  assert.equal(boxed.b, small);
  const back = unboxLargeViews(boxed);
  assert.ok(back.a[0] instanceof Uint8Array);
  assert.equal(back.a[0].byteOffset, 8);
  assert.equal(back.a[0].length, 2 ** 32);
  assert.equal(back.a[0].buffer, buffer);
});
