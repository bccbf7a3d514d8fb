import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packTexts } from '../../pipeline/support/text-column.js';
import { tfidfEmbed, tfidfEmbedder } from '../../pipeline/stages/embed/tfidf.js';
import { loadStaticModel, staticEmbed, staticEmbedder } from '../../pipeline/stages/embed/static.js';
import { loadUseLiteVocab, SentencePieceTokenizer } from '../../pipeline/stages/embed/sentencepiece-tokenizer.js';
import type { Matrix } from '../../harness/types.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';

const dot = (m: Matrix, i: number, j: number): number => {
  let s = 0;
  for (let k = 0; k < m.cols; k++) s += m.data[i * m.cols + k] * m.data[j * m.cols + k];
  return s;
};

const texts = [
  'How do I get a refund for my order?',
  'I want a refund, the order arrived broken',
  'The weather in Paris is sunny today',
  'My password reset email never arrived',
  'password reset link not arriving',
  '',
];

test('sentencepiece tokenizer gives the same ids as the package tokenizer', async () => {
  const { initModel } = await import('@energetic-ai/embeddings');
  const vocab = loadUseLiteVocab();
  // The package's model constructor only builds its tokenizer from the vocabulary; no weights are needed for encode().
  const { EmbeddingsModel } = (await import('@energetic-ai/embeddings')) as unknown as {
    EmbeddingsModel: new (d: unknown) => { tokenizer: { encode(s: string): number[] } };
  };
  assert.ok(initModel);
  const theirs = new EmbeddingsModel({ vocabulary: vocab, model: null }).tokenizer;
  const ours = new SentencePieceTokenizer(vocab);
  for (const s of [
    ...texts,
    '  double  spaces ',
    'Ünïcödé ﬁ ligature',
    'emoji 🙂 and ☃ unknowns',
    'ÄÖÜ straße',
    '1234-5678 x@y.z',
  ]) {
    assert.deepEqual(ours.encode(s), theirs.encode(s), JSON.stringify(s));
  }
});

test('tfidf: unit rows, related texts closer, an empty or all-stop-word text is a zero row', () => {
  const m = tfidfEmbed(packTexts([...texts, 'the and of']), { dims: 512, nonzeros: 4, bigrams: true, minDf: 1 });
  assert.equal(m.rows, 7);
  for (const i of [0, 1, 2, 3, 4]) assert.ok(Math.abs(dot(m, i, i) - 1) < 1e-5);
  assert.equal(dot(m, 5, 5), 0);
  assert.equal(dot(m, 6, 6), 0, 'stop words only');
  assert.ok(dot(m, 0, 1) > dot(m, 0, 2) + 0.1);
  assert.ok(dot(m, 3, 4) > dot(m, 3, 0) + 0.1);
  assert.throws(() => parseStageOptions(tfidfEmbedder, { nonzeros: 0 }), /nonzeros/);
});

test('static: distilled from USE lite, related texts closer, identical texts identical rows', async () => {
  const model = await loadStaticModel(parseStageOptions(staticEmbedder, { dims: 128 }));
  assert.equal(model.table.cols, 128);
  const m = staticEmbed(packTexts([...texts, texts[0]]), model);
  for (const i of [0, 1, 2, 3, 4]) assert.ok(Math.abs(dot(m, i, i) - 1) < 1e-5);
  assert.equal(dot(m, 5, 5), 0);
  assert.ok(dot(m, 0, 1) > dot(m, 0, 2) + 0.1, `refund~refund ${dot(m, 0, 1)} vs refund~weather ${dot(m, 0, 2)}`);
  assert.ok(dot(m, 3, 4) > dot(m, 3, 0) + 0.1);
  assert.deepEqual(m.data.subarray(6 * 128, 7 * 128), m.data.subarray(0, 128));
  assert.throws(() => parseStageOptions(staticEmbedder, { dims: 1000 }), /dims/);
});
