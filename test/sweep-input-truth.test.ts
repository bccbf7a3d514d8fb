import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildScaleInput } from '../harness/sweep/sweep-input.js';
import { profileSchema } from '../harness/profile/profile-schema.js';
import { generateConversations } from '../generators/synthetic-conversations.js';
import { conversationToText } from '../generators/conversation-text.js';
import { GenerationStats } from '../generators/generation-stats.js';
import { textAt } from '../pipeline/support/text-column.js';

// Past several doublings of the packer's row capacity (1024 -> 65536): the old packer dropped truth and digests there.
test('the sweep input matches the generator row for row at n = 50,000: texts, truth, unique fraction (from the digests)', async () => {
  const n = 50_000;
  const profile = profileSchema.parse({
    name: 'truth',
    seed: 7,
    scales: [n],
    stages: [{ stage: 'probe', method: 'linear' }],
  });
  const { data, intents, stats } = await buildScaleInput(profile, n);
  assert.equal(data.n, n);
  const gen = new GenerationStats();
  let i = 0;
  let textMismatch = -1;
  let truthMismatch = -1;
  for await (const batch of generateConversations({ ...(profile.input.options as object), n, seed: profile.seed })) {
    for (const c of batch) {
      gen.add(c);
      const text = conversationToText(c);
      if (textMismatch < 0 && textAt(data.conversations!, i) !== text) textMismatch = i;
      if (truthMismatch < 0 && intents[data.truth![i]] !== c.truth?.intent) truthMismatch = i;
      i++;
    }
  }
  assert.equal(i, n);
  assert.equal(textMismatch, -1, `first text mismatch at row ${textMismatch}`);
  assert.equal(
    truthMismatch,
    -1,
    `first truth mismatch at row ${truthMismatch}: ${intents[data.truth![truthMismatch]]}`,
  );
  const report = gen.report();
  assert.equal(stats.uniqueFraction, report.uniqueFraction);
  assert.equal(stats.intents, Object.keys(report.intents).length);
  assert.equal(stats.conversations, n);
});
