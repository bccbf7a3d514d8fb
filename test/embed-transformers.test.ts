import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { checkModelDir, transformersEmbedder, transformersEmbed } from '../pipeline/stages/embed/transformers.js';
import { packTexts } from '../pipeline/support/text-column.js';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { runStageOnce } from '../harness/sweep/stage-run.js';
import { createStagePool } from '../harness/workers/worker-pool.js';
import { tempDir } from './test-helpers.js';
import { parseStageOptions } from '../pipeline/stage-options.js';

const { onnx } = onnxProto;
const VOCAB = ['[PAD]', '[UNK]', 'refund', 'my', 'order', 'please', 'weather', 'sunny'];
const H = 4;
/** Embedding row of token id i: small distinct integers, so pooled values are checkable by hand. */
const row = (i: number): number[] => Array.from({ length: H }, (_, j) => ((i * 7 + j * 3) % 11) - 5);

/**
 * A tiny BERT-shaped model folder: a WordLevel tokenizer and an ONNX graph whose last_hidden_state is a Gather from
 * a fixed embedding table (input_ids -> [batch, seq, 4]), written with onnx-proto's protobuf encoder.
 */
function writeTinyModel(dir: string): void {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const T = onnx.TensorProto.DataType;
  const valueInfo = (name: string, elemType: number, dims: (string | number)[]) => ({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
  const model = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'clusterbench-test',
    graph: {
      name: 'tiny',
      node: [
        {
          opType: 'Gather',
          input: ['table', 'input_ids'],
          output: ['last_hidden_state'],
          attribute: [{ name: 'axis', i: 0, type: onnx.AttributeProto.AttributeType.INT }],
        },
      ],
      initializer: [
        { name: 'table', dataType: T.FLOAT, dims: [VOCAB.length, H], floatData: VOCAB.flatMap((_, i) => row(i)) },
      ],
      input: [
        valueInfo('input_ids', T.INT64, ['batch', 'seq']),
        valueInfo('attention_mask', T.INT64, ['batch', 'seq']),
      ],
      output: [valueInfo('last_hidden_state', T.FLOAT, ['batch', 'seq', H])],
    },
  };
  const problem = onnx.ModelProto.verify(model);
  if (problem) throw new Error(problem);
  writeFileSync(join(dir, 'onnx', 'model.onnx'), onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish());
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ model_type: 'bert', hidden_size: H, vocab_size: VOCAB.length }),
  );
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [special(0, '[PAD]'), special(1, '[UNK]')],
      normalizer: { type: 'Lowercase' },
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab: Object.fromEntries(VOCAB.map((w, i) => [w, i])), unk_token: '[UNK]' },
    }),
  );
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      model_max_length: 64,
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      tokenizer_class: 'PreTrainedTokenizer',
    }),
  );
}

/** The expected embedding: mean of the token rows, L2-normalised. */
function expected(ids: number[]): number[] {
  const m = Array.from({ length: H }, (_, j) => ids.reduce((s, i) => s + row(i)[j], 0) / ids.length);
  const n = Math.hypot(...m);
  return m.map((v) => v / n);
}

test('transformers: a missing or incomplete model folder names the expected files', () => {
  const dir = tempDir();
  assert.throws(
    () => parseStageOptions(transformersEmbedder, {}),
    /modelDir: is required: a local folder with config\.json, tokenizer\.json, tokenizer_config\.json and onnx\/model\.onnx/,
  );
  assert.throws(
    () => checkModelDir(join(dir, 'absent'), 'auto'),
    /absent is not a folder; expected config\.json, tokenizer\.json, tokenizer_config\.json and onnx\/model\.onnx/,
  );
  writeTinyModel(dir);
  rmSync(join(dir, 'tokenizer.json'));
  assert.throws(() => checkModelDir(dir, 'auto'), /is missing tokenizer\.json;/);
  assert.throws(() => checkModelDir(dir, true), /is missing tokenizer\.json, onnx\/model_quantized\.onnx;/);
});

test('transformers: the real loader, tokenizer, ONNX session and mean pooling run on a tiny local model', async () => {
  const dir = join(tempDir(), 'tiny-model');
  writeTinyModel(dir);
  const opts = parseStageOptions(transformersEmbedder, { modelDir: dir, batchSize: 2 });
  assert.equal(opts.quantized, false, 'auto picks model.onnx when there is no quantized file');
  // Batches mix lengths, so the shorter text is padded: mean pooling must ignore the padding through the mask.
  const m = await transformersEmbed(
    packTexts(['refund my order please', 'sunny weather', 'zzz unknown', 'please']),
    opts,
  );
  assert.deepEqual([m.rows, m.cols], [4, H]);
  const want = [expected([2, 3, 4, 5]), expected([7, 6]), expected([1, 1]), expected([5])];
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < H; j++)
      assert.ok(
        Math.abs(m.data[i * H + j] - want[i][j]) < 1e-6,
        `row ${i} col ${j}: ${m.data[i * H + j]} vs ${want[i][j]}`,
      );
});

test('transformers: runs split across 2 piscina workers (onnxruntime-node in worker threads)', async () => {
  const dir = join(tempDir(), 'tiny-model');
  writeTinyModel(dir);
  const texts = Array.from({ length: 10 }, (_, i) => (i % 2 ? 'refund my order' : 'sunny weather please'));
  const profile = await validateProfile(
    {
      name: 't',
      scales: [10],
      stages: [{ stage: 'embed', method: 'transformers', workers: 2, options: { modelDir: dir } }],
    },
    'test',
  );
  const pool = createStagePool(profile.stages[0], profile);
  try {
    const { record, data } = await runStageOnce(
      pool,
      profile.stages[0],
      profile,
      { n: 10, summaries: packTexts(texts) },
      10,
      0,
    );
    assert.equal(record.status, 'ok', record.reason);
    assert.equal(record.counters['split.workers'], 2);
    const m = data!.embeddings!;
    const want = [expected([7, 6, 5]), expected([2, 3, 4])];
    for (let i = 0; i < 10; i++)
      for (let j = 0; j < H; j++) assert.ok(Math.abs(m.data[i * H + j] - want[i % 2][j]) < 1e-6, `row ${i}`);
  } finally {
    await pool.destroy();
  }
});
