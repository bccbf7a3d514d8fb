// Issue 17, item 4: every PipelineData field in one table (pipeline/pipeline-fields.ts). A stage split by rows may
// write a per-row float field (membership), and the conversations' own ids travel through the cell files, the row
// split, the checkpoints and a resume, to the data a scale ends with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { ipcFileToPipelineFields } from '../harness/io/arrow-pipeline-data.js';
import { PIPELINE_FIELD_NAMES, fieldSpec } from '../pipeline/pipeline-fields.js';
import { checkStageDefinition } from '../pipeline/user-stage-module.js';
import type { CheckpointManifest, RunResults } from '../harness/types.js';
import { tempDir, writeProfile, crashAfterCells } from './test-helpers.js';

// A splittable cluster stage whose outputs depend only on each row's conversation id, so a chunk that got the
// wrong rows (or no ids) gives the wrong values: label = index % 5, membership = (index % 100) / 100.
const ID_STAGE = `
export default {
  kind: 'cluster', method: 'from-ids', reads: ['conversationIds'], writes: ['labels', 'membership'], splittable: true,
  run(input) {
    const ids = input.conversationIds;
    if (!ids) throw new Error('no conversationIds in the input');
    const dec = new TextDecoder();
    const labels = new Int32Array(input.n);
    const membership = new Float32Array(input.n);
    for (let i = 0; i < input.n; i++) {
      const index = Number(dec.decode(ids.bytes.subarray(ids.offsets[i], ids.offsets[i + 1])).split('-').pop());
      labels[i] = index % 5;
      membership[i] = (index % 100) / 100;
    }
    return { labels, membership };
  },
};
`;

const PROFILE = `
name: ids
seed: 5
scales: [150, 300]
input: { kind: synthetic, options: { difficulty: 0 } }
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 16 } }
  - { stage: cluster, method: "module:./from-ids.js", workers: 2 }
storage: { enabled: true, formats: [jsonl], keepFiles: true }
`;

const jsonl = (path: string): Array<Record<string, unknown>> =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test('the field table covers every field, and per-row-ness follows the layout', () => {
  assert.ok(PIPELINE_FIELD_NAMES.includes('conversationIds') && PIPELINE_FIELD_NAMES.includes('membership'));
  for (const f of PIPELINE_FIELD_NAMES) {
    const s = fieldSpec(f);
    assert.equal(s.rows === 'whole-scale', s.layout === 'int32-levels' || s.layout === 'json', f);
  }
  // A splittable stage can only write per-row fields: said when the module is loaded, not after the chunks ran.
  const def = {
    kind: 'meta-cluster',
    method: 'x',
    reads: ['labels'],
    writes: ['hierarchy'],
    splittable: true,
    run: () => ({}),
  };
  assert.throws(
    () => checkStageDefinition(def, 'meta-cluster', 'module m.js'),
    /module m\.js: splittable: .*hierarchy is one value for the whole scale/,
  );
  assert.throws(
    () => checkStageDefinition({ ...def, writes: ['truth'] }, 'meta-cluster', 'm'),
    /truth is ground truth for scoring only/,
  );
});

test('conversation ids reach a row-split stage writing membership, and survive a kill, checkpoints and a resume', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'from-ids.js'), ID_STAGE);
  const profile = writeProfile(PROFILE, dir);
  await assert.rejects(
    sweepCommand({ profile, out: join(dir, 'runs'), quiet: true, observers: crashAfterCells(4) }),
    /simulated crash after 4 cells/,
  ); // n=150 complete (3 cells), then one cell of n=300
  const runDir = join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]);
  const { results } = await sweepCommand({ profile: 'ignored', out: 'ignored', resume: runDir, quiet: true });
  const split = results.records.filter((r) => r.stage === 'cluster');
  assert.equal(split.length, 2);
  for (const r of split) {
    assert.equal(r.status, 'ok', r.reason);
    assert.equal(r.counters['split.workers'], 2, 'the rows were split across two workers');
  }
  const written: RunResults = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  assert.equal((written.sections.checkpoints as CheckpointManifest).resumedAt.length, 1);
  for (const scale of [150, 300]) {
    // The data the scale ended with (storage accounting's JSONL of it): ids beside the rows, labels and membership from them.
    const convs = jsonl(join(runDir, 'storage', `n${scale}`, 'conversations.jsonl'));
    const ids = convs.map((r) => r.conversationIds);
    assert.equal(ids.length, scale);
    assert.deepEqual(
      ids,
      Array.from({ length: scale }, (_, i) => `syn-5-${i}`),
      `n=${scale}: the generator's ids, in row order`,
    );
    const clusters = jsonl(join(runDir, 'storage', `n${scale}`, 'clusters.jsonl'));
    assert.deepEqual(
      clusters.map((r) => r.labels),
      ids.map((_, i) => i % 5),
    );
    assert.deepEqual(
      clusters.map((r) => r.membership),
      ids.map((_, i) => Math.fround((i % 100) / 100)),
      'membership joined from the chunks, counted by storage',
    );
    // The cluster cell's Arrow checkpoint holds the joined per-row outputs.
    const cell = (written.sections.checkpoints as CheckpointManifest).cells.find(
      (c) => c.scale === scale && c.stage === 'cluster',
    )!;
    const { fields } = await ipcFileToPipelineFields(readFileSync(join(runDir, cell.file!)));
    assert.deepEqual(
      Array.from(fields.membership!),
      ids.map((_, i) => Math.fround((i % 100) / 100)),
    );
  }
});
