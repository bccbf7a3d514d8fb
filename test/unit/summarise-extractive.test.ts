import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropContext, extractiveSummariser, summariseText } from '../../pipeline/stages/summarise/extractive.js';
import { packTexts, unpackTexts } from '../../pipeline/support/text-column.js';
import { recordingContext } from '../recording-context.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';

const parse = (raw: Record<string, unknown>) => parseStageOptions(extractiveSummariser, raw);

// 13 fixed user prompts (two sentences or more, so the extract has to choose) and assistant answers that vary.
const PROMPTS = [
  'How do I reset my router password? The admin page will not load. I tried the sticker on the back.',
  'My flight was cancelled. Can I get a refund or only a voucher? The airline site is unclear.',
  'What is the difference between a Roth IRA and a traditional IRA? I am 34 and self-employed.',
  'My tomato leaves are turning yellow from the bottom. I water every morning. Is it blight?',
  'Can you explain the chain rule with an example? My textbook skips steps.',
  'How should I negotiate a salary offer? They offered 85k and the market rate is higher.',
  'My landlord kept my whole deposit. The flat was clean when I left. What can I do?',
  'Why does my sourdough come out dense? I proof it overnight in the fridge.',
  'How do I start running as a beginner? My shins hurt after two kilometres.',
  'When do I use the Spanish subjunctive? Trigger phrases confuse me.',
  'My kitchen tap drips constantly. Do I need to replace the cartridge or the washer?',
  'How do I write a cover letter for a data analyst job? I have no direct experience.',
  'I sleep badly and wake at 3 am every night. I drink coffee until 4 pm. Is that the cause?',
];
const ANSWERS = [
  'Sure. First unplug it. Then hold the reset button for thirty seconds. Router passwords are printed on routers.',
  'Great question! Refunds, vouchers and cancellations depend on the airline, the router and the bank.',
  'Here is a long answer about coffee, subjunctives, salary offers and cover letters, none of it relevant.',
  'I cannot help with that. Please consult a professional about yellow leaves, blight and deposits.',
];

function conversation(i: number, variant: number): string {
  const answer = ANSWERS[(i + variant) % ANSWERS.length];
  return `user: ${PROMPTS[i]}\nassistant: ${answer} ${'Extra detail number ' + variant + '.'}\nuser: Thanks, one more thing: ${PROMPTS[(i + 1) % PROMPTS.length].split('. ')[0]}.`;
}

test('13 fixed user prompts with varied assistant answers give 13 distinct summaries, the same for every answer', async () => {
  const opts = parse({});
  const texts: string[] = [];
  for (let variant = 0; variant < 6; variant++)
    for (let i = 0; i < PROMPTS.length; i++) texts.push(conversation(i, variant));
  const out = unpackTexts(
    (await extractiveSummariser.run({ n: texts.length, conversations: packTexts(texts) }, opts, recordingContext().ctx))
      .summaries!,
  );
  const byPrompt = PROMPTS.map((_, i) => new Set(out.filter((_, j) => j % PROMPTS.length === i)));
  for (const [i, s] of byPrompt.entries()) assert.equal(s.size, 1, `prompt ${i}: ${[...s].join(' || ')}`);
  assert.equal(new Set(out).size, 13, 'one summary per distinct user prompt');
  // Weighting the assistant back in makes the answers matter again: the option is real.
  const mixed = texts.map((t) => summariseText(t, { ...opts, assistantWeight: 1 }));
  assert.ok(
    new Set(mixed).size > 13,
    `with assistantWeight 1 the answers change summaries (${new Set(mixed).size} distinct)`,
  );
});

test('retrieved context, code fences and quotes are dropped from the summary unless keepContext', () => {
  const opts = parse({ sentences: 2 });
  const rag =
    'user: Context: The Eiffel Tower is 330 metres tall. It was built in 1889 for the World Fair. Gustave Eiffel designed it. Question: How tall is the Eiffel Tower?\nassistant: 330 metres.';
  assert.equal(summariseText(rag, opts), 'Question: How tall is the Eiffel Tower?');
  assert.match(summariseText(rag, { ...opts, keepContext: true }), /Eiffel/);

  assert.equal(
    dropContext('Why does this fail? ```const x = 1; x = 2;``` It throws a TypeError.'),
    'Why does this fail? It throws a TypeError.',
  );
  assert.equal(
    dropContext('<document>Refund policy: 30 days.</document> Can I return my shoes?'),
    'Can I return my shoes?',
  );
  assert.equal(
    dropContext('> I will be late tomorrow. How should I answer this email?'),
    'How should I answer this email?',
  );
  assert.equal(
    dropContext('Retrieved documents: doc 1 says A. doc 2 says B. Query: which is right?'),
    'Query: which is right?',
  );
  // "For context:" inside a sentence is the user's own words, not a retrieved block.
  assert.equal(dropContext('I need help. For context: I live in Oslo.'), 'I need help. For context: I live in Oslo.');
  // A turn that is only context is kept rather than emptied.
  assert.equal(dropContext('Context: only a document here.'), 'Context: only a document here.');
});

test('option errors name the option', () => {
  assert.throws(() => parse({ userWeight: -1 }), /userWeight: must be a number >= 0/);
  assert.throws(() => parse({ userWeight: 0, assistantWeight: 0 }), /at least one must be > 0/);
  assert.throws(() => parse({ keepContext: 'yes' }), /keepContext: must be true or false/);
  assert.deepEqual(parse({}), { sentences: 3, maxChars: 600, userWeight: 1, assistantWeight: 0, keepContext: false });
});
