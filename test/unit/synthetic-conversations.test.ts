import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createConversationSource,
  generateConversations,
  generatorIntents,
  intentDistribution,
  type GeneratorOptions,
} from '../../generators/synthetic-conversations.js';
import { loadTaxonomy } from '../../generators/conversation-taxonomy.js';
import { GenerationStats } from '../../generators/generation-stats.js';
import { conversationToText } from '../../generators/conversation-text.js';
import type { Conversation } from '../../harness/types.js';

async function collect(opts: GeneratorOptions): Promise<Conversation[]> {
  const out: Conversation[] = [];
  for await (const b of generateConversations(opts)) out.push(...b);
  return out;
}

test('the taxonomy has >= 20 domains, >= 200 intents and >= 3 languages, all from data files', () => {
  const tax = loadTaxonomy();
  assert.ok(tax.domains.length >= 20, `${tax.domains.length} domains`);
  assert.ok(tax.intents.length >= 200, `${tax.intents.length} intents`);
  assert.ok(tax.languageCodes.length >= 3, `${tax.languageCodes.length} languages`);
  assert.equal(generatorIntents().length, tax.intents.length);
  for (const i of tax.intents) assert.match(i.id, /^[a-z0-9-]+\/[a-z0-9-]+$/);
});

test('runs are nested: the first n of a run of N equal a run of n (any batch size)', async () => {
  const opts = { seed: 5, difficulty: 0.3, intents: 40 };
  const small = await collect({ ...opts, n: 120, batchSize: 7 });
  const large = await collect({ ...opts, n: 500, batchSize: 1000 });
  assert.deepEqual(large.slice(0, 120), small);
});

test('uniqueness at defaults: every conversation text differs (20K conversations)', () => {
  const src = createConversationSource({ n: 20_000, seed: 1 });
  const stats = new GenerationStats();
  for (let i = 0; i < 20_000; i++) stats.add(src.at(i));
  const r = stats.report();
  assert.ok(r.uniqueFraction >= 0.999, `unique fraction ${r.uniqueFraction}`);
  // The uniqueness counter itself must see duplicates.
  const dup = new GenerationStats();
  const c = src.at(3);
  dup.add(c);
  dup.add(c);
  dup.add(src.at(4));
  assert.equal(dup.report().uniqueTexts, 2);
});

test('defaults: 2-5 KB mean raw text, 1-12 turns, 3 languages, noise flags, ground truth consistent', () => {
  const n = 3000;
  const src = createConversationSource({ n, seed: 9 });
  const stats = new GenerationStats();
  const intents = new Set(generatorIntents());
  for (let i = 0; i < n; i++) {
    const c = src.at(i);
    stats.add(c);
    const t = c.truth!;
    assert.ok(intents.has(t.intent) && t.intent.startsWith(`${t.domain}/`), t.intent);
    const users = c.messages.filter((m) => m.role === 'user').length;
    assert.ok(users >= 1 && users <= 13, `turns ${users}`); // 12 + an off-topic turn
    assert.equal(t.flags.includes('multi-intent'), (t.secondaryIntents?.length ?? 0) > 0);
  }
  const r = stats.report();
  assert.ok(r.bytes.mean >= 2048 && r.bytes.mean <= 5120, `mean ${r.bytes.mean}`);
  assert.deepEqual(Object.keys(r.languages).sort(), ['de', 'en', 'es']);
  assert.ok(Math.abs(r.languages.en / n - 0.6) < 0.05, JSON.stringify(r.languages));
  for (const f of ['formal', 'casual', 'typos', 'list', 'code-block', 'off-topic-turn', 'multi-intent'])
    assert.ok((r.flags[f] ?? 0) > 0, `flag ${f}`);
  assert.ok(Object.keys(r.turns).length >= 10, JSON.stringify(r.turns));
  const meanBytes = createConversationSource({ n: 500, seed: 9, meanBytes: 1500 });
  let total = 0;
  for (let i = 0; i < 500; i++) total += Buffer.byteLength(conversationToText(meanBytes.at(i)));
  assert.ok(Math.abs(total / 500 - 1500) < 300, `meanBytes 1500 gave ${total / 500}`);
});

test('intent labels follow the configured Zipf distribution within tolerance', () => {
  const n = 30_000;
  for (const zipf of [1, 0]) {
    const opts = { intents: 24, zipf, languages: ['en'] };
    const expected = intentDistribution(opts);
    const src = createConversationSource({ n, seed: 21, ...opts });
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const id = src.at(i).truth!.intent;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    let tv = 0;
    for (const { intent, p } of expected) {
      const obs = counts.get(intent) ?? 0;
      const sd = Math.sqrt(n * p * (1 - p));
      assert.ok(
        Math.abs(obs - n * p) <= 5 * sd,
        `zipf ${zipf}: ${intent} seen ${obs}, expected ${(n * p).toFixed(0)} ± ${(5 * sd).toFixed(0)}`,
      );
      tv += Math.abs(obs / n - p) / 2;
    }
    assert.ok(tv < 0.02, `zipf ${zipf}: total variation ${tv}`);
    if (zipf === 1) assert.ok(expected[0].p / expected[23].p > 20, 'rank 1 is ~24x rank 24 under Zipf(1)');
  }
});

test('intent subsets: `intents: 12` spans 12 domains; `domains` and id lists restrict', () => {
  const twelve = generatorIntents({ intents: 12 });
  assert.equal(twelve.length, 12);
  assert.equal(new Set(twelve.map((i) => i.split('/')[0])).size, 12);
  const billing = generatorIntents({ domains: ['billing'] });
  assert.ok(billing.length >= 5 && billing.every((i) => i.startsWith('billing/')));
  const src = createConversationSource({
    n: 200,
    seed: 2,
    intents: ['billing/refund-request', 'travel/change-booking'],
  });
  for (let i = 0; i < 200; i++)
    assert.ok(['billing/refund-request', 'travel/change-booking'].includes(src.at(i).truth!.intent));
});

test("difficulty makes intents borrow each other's vocabulary", () => {
  const tax = loadTaxonomy();
  const own = (difficulty: number): number => {
    const src = createConversationSource({
      n: 300,
      seed: 4,
      difficulty,
      languages: ['en'],
      intents: 30,
      multiIntentRate: 0,
      offTopicRate: 0,
    });
    let mine = 0,
      other = 0;
    for (let i = 0; i < 300; i++) {
      const c = src.at(i);
      const text = conversationToText(c);
      for (const it of tax.intents.slice(0, 60)) {
        for (const term of it.lexicon.en.terms) {
          if (term.length < 6 || !text.includes(term)) continue;
          if (it.id === c.truth!.intent) mine++;
          else other++;
        }
      }
    }
    return mine / (mine + other);
  };
  const easy = own(0);
  const hard = own(0.8);
  assert.ok(easy > 0.6, `difficulty 0: own-vocabulary share ${easy}`); // some terms recur in related intents
  assert.ok(hard < easy - 0.3, `difficulty 0.8: own-vocabulary share ${hard} vs ${easy}`);
});

test('bad generator options are refused with the option named', () => {
  assert.throws(
    () => createConversationSource({ n: 1, seed: 1, bogus: 1 } as unknown as GeneratorOptions),
    /generator option "bogus": unknown option/,
  );
  assert.throws(
    () => createConversationSource({ n: 1, seed: 1, intents: ['nope/x'] }),
    /generator option "intents": unknown intent "nope\/x"/,
  );
  assert.throws(
    () => createConversationSource({ n: 1, seed: 1, languages: ['xx'] }),
    /generator option "languages": unknown language "xx"/,
  );
  assert.throws(
    () => createConversationSource({ n: 1, seed: 1, difficulty: 2 }),
    /generator option "difficulty": must be a number in \[0, 1\]/,
  );
});
