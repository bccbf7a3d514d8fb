/**
 * Streaming mode (issue 11): the same profile in batch and in streaming mode gives the same bits (summaries ->
 * static embeddings, centred over all rows -> k-means labels), while streaming holds at most one record batch of
 * text at a time (the counter, not timing); compareModes reports both side by side; --input and --queue are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { readCellFile } from '../harness/sweep/cell-runner.js';
import { checkpointPath } from '../harness/sweep/sweep-checkpoint.js';
import { STREAM_COUNTERS } from '../harness/sweep/streaming-scale.js';
import type { RunResults } from '../harness/types.js';
import { tempDir, writeProfile } from './test-helpers.js';

const N = 600;
const BATCH = 128; // 5 batches, the last one short

const profileYaml = (execution: string, isolation = 'thread'): string => `
name: streaming-test
seed: 5
scales: [${N}]
isolation: ${isolation}
input: { kind: synthetic, options: { difficulty: 0, intents: 10, languages: [en], zipf: 0, multiIntentRate: 0 } }
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: static, options: { dims: 64 } }
  - { stage: cluster, method: kmeans, options: { k: 10 } }
execution: ${execution}
`;

async function run(yaml: string): Promise<{ runDir: string; results: RunResults }> {
  const dir = tempDir();
  return sweepCommand({ profile: writeProfile(yaml, dir), out: join(dir, 'runs'), quiet: true });
}

const checkpoint = (runDir: string, stage: number, kind: string, method: string) =>
  readCellFile(join(runDir, checkpointPath(N, stage, kind, method)), 'output');
const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('streaming gives the same embeddings and labels as batch mode, holding one record batch of text at a time', async () => {
  const batch = await run(profileYaml('{ mode: batch }'));
  const stream = await run(profileYaml(`{ mode: streaming, batchSize: ${BATCH} }`));
  for (const r of [...batch.results.records, ...stream.results.records])
    assert.equal(r.status, 'ok', `${r.stage}: ${r.reason}`);
  // Records per stage as in batch mode: the whole scale's items, time and peak RSS.
  assert.deepEqual(
    stream.results.records.map((r) => `${r.stage}:${r.items}`),
    ['summarise:600', 'embed:600', 'cluster:600'],
  );
  for (const r of stream.results.records)
    assert.ok(r.wallMs > 0 && r.peakRssBytes > 0 && r.cpuUserMs > 0, JSON.stringify(r).slice(0, 200));

  const embB = (await checkpoint(batch.runDir, 1, 'embed', 'static')).embeddings!;
  const embS = (await checkpoint(stream.runDir, 1, 'embed', 'static')).embeddings!;
  assert.equal(embS.rows, N);
  assert.ok(bytesOf(embB.data).equals(bytesOf(embS.data)), 'embeddings (centred over all rows) are bit-identical');
  const labB = (await checkpoint(batch.runDir, 2, 'cluster', 'kmeans')).labels!;
  const labS = (await checkpoint(stream.runDir, 2, 'cluster', 'kmeans')).labels!;
  assert.ok(bytesOf(labB).equals(bytesOf(labS)), 'labels are bit-identical');
  assert.equal(stream.results.scales[0].quality.ari, batch.results.scales[0].quality.ari);
  assert.deepEqual(
    stream.results.scales[0].input,
    batch.results.scales[0].input,
    'the same input stats (unique fraction, mean bytes, intents)',
  );

  // The text held at once is one batch's conversations and summaries, not the scale's.
  const summarise = stream.results.records[0];
  assert.equal(summarise.counters[STREAM_COUNTERS.batches], 5);
  assert.equal(summarise.counters[STREAM_COUNTERS.peakTextRows], BATCH);
  const totalText = batch.results.scales[0].input!.meanBytes * N;
  const peak = summarise.counters[STREAM_COUNTERS.peakTextBytes];
  assert.ok(
    peak > 0 && peak < ((totalText * BATCH) / N) * 1.5,
    `peak text ${peak} B for ${totalText} B in all: more than about one batch's`,
  );
  assert.equal(
    batch.results.records[0].counters[STREAM_COUNTERS.peakTextBytes],
    undefined,
    'batch mode has no streaming counters',
  );
  assert.match(readFileSync(join(stream.runDir, 'report.md'), 'utf8'), /\| summarise\/extractive \| ok \|/);
});

test('compareModes reports both modes side by side; process isolation streams each batch through its own cell file', async () => {
  const { runDir, results } = await run(
    profileYaml(`{ mode: streaming, batchSize: 300, compareModes: true }`, 'process'),
  );
  for (const r of results.records) assert.equal(r.status, 'ok', `${r.stage}: ${r.reason}`);
  const s = results.sections.executionModes;
  assert.ok(s, 'sections.executionModes');
  assert.equal(s.primary, 'streaming');
  assert.equal(s.batchSize, 300);
  const row = s.scales[0];
  assert.equal(row.scale, N);
  assert.equal(row.identical, true, 'both modes gave the same labels and embeddings');
  assert.deepEqual(
    row.stages.map((x) => [x.stage, x.streamed]),
    [
      ['summarise/extractive', true],
      ['embed/static', true],
      ['cluster/kmeans', false],
    ],
  );
  for (const x of row.stages) {
    for (const m of [x.batch, x.streaming]) {
      assert.ok(m && m.status === 'ok' && m.wallMs > 0 && m.peakRssBytes > 0, `${x.stage}: ${JSON.stringify(m)}`);
    }
  }
  assert.ok(
    row.peakTextBytes.batch! > row.peakTextBytes.streaming!,
    `batch holds all the text: ${JSON.stringify(row.peakTextBytes)}`,
  );
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  assert.match(md, /## Batch and streaming/);
  assert.match(md, /\| embed\/static \| yes \|/);
});

test('streaming is refused with --input and with --queue, saying what to change', async () => {
  const dir = tempDir();
  const profile = writeProfile(profileYaml('{ mode: streaming }'), dir);
  await assert.rejects(
    sweepCommand({
      profile,
      scales: '10',
      input: join(dir, 'conversations.jsonl'),
      out: join(dir, 'runs'),
      quiet: true,
    }),
    /execution\.mode streaming is not supported with --input FILE yet .*set execution\.mode: batch/,
  );
  await assert.rejects(
    sweepCommand({ profile, queue: 'redis://127.0.0.1:1', out: join(dir, 'runs'), quiet: true }),
    /execution\.mode streaming is not supported with --queue yet/,
  );
});
