import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationPacker, InputTooLargeError } from '../../harness/sweep/sweep-input.js';
import { textAt } from '../../pipeline/support/text-column.js';

const conv = (i: number, text: string) => ({
  id: `c${i}`,
  messages: [{ role: 'user' as const, content: text }],
  truth: { domain: 'd', intent: `d/i${i % 3}`, language: 'en', flags: [] },
});

test('the packer keeps every text, numbers intents and counts unique texts', () => {
  const p = new ConversationPacker();
  for (let i = 0; i < 3000; i++) p.add(conv(i, `héllo ${i % 2500}`));
  const { data, intents, stats } = p.finish();
  assert.equal(data.n, 3000);
  assert.equal(textAt(data.conversations!, 2999), 'user: héllo 499');
  assert.deepEqual(intents, ['d/i0', 'd/i1', 'd/i2']);
  assert.deepEqual(Array.from(data.truth!.subarray(0, 4)), [0, 1, 2, 0]);
  assert.equal(stats.uniqueFraction, 2500 / 3000);
});

test('text past the packer byte limit is refused with a clear error, not corrupted', () => {
  const p = new ConversationPacker(4096);
  assert.throws(
    () => {
      for (let i = 0; i < 1000; i++) p.add(conv(i, 'x'.repeat(100)));
    },
    (e: Error) => {
      assert.ok(e instanceof InputTooLargeError);
      assert.match(e.message, /passes 4,096 bytes after 3\d conversations\. Use a smaller scale, .*or streaming mode/);
      return true;
    },
  );
});
