import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countColumnTokens,
  encodingForModel,
  loadTokenCounter,
  TOKEN_COUNTERS,
} from '../../pipeline/api/token-counter.js';
import { packTexts } from '../../pipeline/support/text-column.js';

// Token ids printed by tiktoken itself in OpenAI's cookbook "How to count tokens with tiktoken" (compare_encodings).
const TIKTOKEN = {
  cl100k_base: {
    'tiktoken is great!': [83, 1609, 5963, 374, 2294, 0],
    antidisestablishmentarianism: [519, 85342, 34500, 479, 8997, 2191],
    '2 + 2 = 4': [17, 489, 220, 17, 284, 220, 19],
    お誕生日おめでとう: [33334, 45918, 243, 21990, 9080, 33334, 62004, 16556, 78699],
  },
  o200k_base: {
    antidisestablishmentarianism: [493, 129901, 376, 160388, 21203, 2367],
    '2 + 2 = 4': [17, 659, 220, 17, 314, 220, 19],
    お誕生日おめでとう: [8930, 9697, 243, 128225, 8930, 17693, 4344, 48669],
  },
} as const;

test('token ids and counts equal tiktoken for o200k_base and cl100k_base', async () => {
  for (const [enc, cases] of Object.entries(TIKTOKEN) as [keyof typeof TIKTOKEN, Record<string, readonly number[]>][]) {
    const c = await loadTokenCounter(enc);
    for (const [text, ids] of Object.entries(cases)) {
      assert.deepEqual(c.encode(text), ids, `${enc}: ${text}`);
      assert.equal(c.count(text), ids.length, `${enc}: ${text}`);
    }
  }
});

test('chat prompt tokens match the counts the OpenAI API reported for the cookbook example', async () => {
  // The cookbook's example_messages: the API reported 129 prompt tokens for gpt-4 (cl100k) and 124 for gpt-4o (o200k).
  const messages = [
    {
      role: 'system',
      content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
    },
    { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
    { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
    {
      role: 'system',
      name: 'example_user',
      content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
    },
    {
      role: 'system',
      name: 'example_assistant',
      content: "Let's talk later when we're less busy about how to do better.",
    },
    { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
  ];
  assert.equal((await loadTokenCounter('cl100k_base')).countChat(messages), 129);
  assert.equal((await loadTokenCounter('o200k_base')).countChat(messages), 124);
});

test('special-token text counts as plain text, columns sum, models map to their encodings', async () => {
  const c = await loadTokenCounter('o200k_base');
  assert.ok(c.count('a <|endoftext|> b') > 3, 'special token text is split, not rejected');
  assert.equal(c.count(''), 0);
  const col = packTexts(['2 + 2 = 4', '', 'antidisestablishmentarianism']);
  assert.equal(countColumnTokens(c, col), 7 + 0 + 6);
  assert.equal(countColumnTokens(c, col, { start: 2, end: 3 }), 6);
  assert.equal(encodingForModel('gpt-4o-mini'), 'o200k_base');
  assert.equal(encodingForModel('openai/gpt-4.1-nano'), 'o200k_base');
  assert.equal(encodingForModel('gpt-4-0613'), 'cl100k_base');
  assert.equal(encodingForModel('text-embedding-3-small'), 'cl100k_base');
  assert.deepEqual([...TOKEN_COUNTERS], ['tokens.input', 'tokens.output', 'tokens.embedding']);
  await assert.rejects(async () => loadTokenCounter('p50k' as never), /unknown encoding "p50k"/);
});
