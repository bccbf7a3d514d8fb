import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openConversationFile } from '../generators/import/conversation-file.js';
import { generateToFile } from '../harness/commands/generate-command.js';
import { createConversationSource } from '../generators/synthetic-conversations.js';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import type { RunResults } from '../harness/types.js';
import { tempDir, writeProfile } from './test-helpers.js';

const dir = tempDir('clusterbench-import-');
const fixture = (name: string, content: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

test('OpenAI chat JSONL: roles, content parts and tool calls are read; format detected', async () => {
  const p = fixture(
    'openai.jsonl',
    jsonl([
      {
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'How do I sort a list?' },
          { role: 'assistant', content: 'Use sorted().' },
        ],
      },
      {
        messages: [
          { role: 'developer', content: 'x' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'part one' },
              { type: 'image_url', image_url: { url: 'u' } },
              { type: 'text', text: 'part two' },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [{ id: 't' }] },
          { role: 'tool', content: '42' },
        ],
      },
    ]) + '\n',
  );
  const f = await openConversationFile(p);
  assert.equal(f.summary.format, 'openai');
  assert.equal(f.summary.formatSource, 'detected');
  assert.equal(f.summary.valid, 2);
  const [a, b] = await f.readAll();
  assert.equal(a.id, 'line-1');
  assert.deepEqual(
    a.messages.map((m) => m.role),
    ['system', 'user', 'assistant'],
  );
  assert.deepEqual(
    b.messages.map((m) => m.role),
    ['system', 'user', 'assistant', 'tool'],
  );
  assert.equal(b.messages[1].content, 'part one\n\npart two');
  assert.equal(b.messages[2].content, '');
});

test('Kura format: chat_id, created_at, messages with created_at, metadata', async () => {
  const p = fixture(
    'kura.jsonl',
    jsonl([
      {
        chat_id: 'c-1',
        created_at: '2024-05-01T10:00:00Z',
        messages: [
          { role: 'user', content: 'refund please', created_at: '2024-05-01T10:00:00Z' },
          { role: 'assistant', content: 'done', created_at: '2024-05-01T10:00:05Z' },
        ],
        metadata: { source: 'app' },
      },
      {
        chat_id: 'c-2',
        created_at: '2024-05-02T10:00:00Z',
        messages: [{ role: 'user', content: 'hi', created_at: '2024-05-02T10:00:00Z' }],
        metadata: {},
      },
    ]),
  );
  const f = await openConversationFile(p);
  assert.equal(f.summary.format, 'kura');
  const convs = await f.readAll();
  assert.deepEqual(
    convs.map((c) => c.id),
    ['c-1', 'c-2'],
  );
  assert.deepEqual(convs[0].metadata, { source: 'app', created_at: '2024-05-01T10:00:00Z' });
  assert.equal(convs[0].messages[1].content, 'done');
});

test('ShareGPT: JSONL and a whole JSON array, human/gpt mapped to user/assistant', async () => {
  const rows = [
    {
      id: 'sg-1',
      conversations: [
        { from: 'human', value: 'write a haiku' },
        { from: 'gpt', value: 'leaves fall' },
      ],
    },
    {
      id: 7,
      conversations: [
        { from: 'system', value: 's' },
        { from: 'human', value: 'q' },
      ],
    },
  ];
  for (const [name, content] of [
    ['sharegpt.jsonl', jsonl(rows)],
    ['sharegpt.json', JSON.stringify(rows, null, 2)],
  ] as const) {
    const f = await openConversationFile(fixture(name, content));
    assert.equal(f.summary.format, 'sharegpt', name);
    const convs = await f.readAll();
    assert.deepEqual(
      convs.map((c) => c.id),
      ['sg-1', '7'],
    );
    assert.deepEqual(convs[0].messages, [
      { role: 'user', content: 'write a haiku' },
      { role: 'assistant', content: 'leaves fall' },
    ]);
    assert.equal(convs[1].messages[0].role, 'system');
  }
});

test('our own Arrow and JSONL files round-trip conversations with ground truth', async () => {
  const g = { n: 40, seed: 8, batchSize: 16 };
  const src = createConversationSource(g);
  const expected = Array.from({ length: 40 }, (_, i) => src.at(i));
  for (const ext of ['arrow', 'jsonl']) {
    const out = join(dir, `own.${ext}`);
    await generateToFile({ out, generator: g });
    const f = await openConversationFile(out);
    assert.equal(f.summary.format, ext === 'arrow' ? 'arrow' : 'jsonl');
    assert.equal(f.summary.withTruth, 40);
    assert.deepEqual(await f.readAll(), expected, ext);
  }
});

test('scales are nested seeded samples; a scale above the input size is refused clearly', async () => {
  const out = join(dir, 'sample.jsonl');
  await generateToFile({ out, generator: { n: 100, seed: 2 } });
  const f = await openConversationFile(out);
  const s10 = await f.sample(10, 42);
  const s60 = await f.sample(60, 42);
  const in10 = new Set(s10.map((c) => c.id));
  assert.deepEqual(
    s60.filter((c) => in10.has(c.id)),
    s10,
    'nested: the sample of 10 is inside the sample of 60',
  );
  const index = (id: string): number => Number(id.split('-')[2]);
  assert.deepEqual(
    s60.map((c) => index(c.id)),
    s60.map((c) => index(c.id)).sort((a, b) => a - b),
    'in file order',
  );
  assert.equal(new Set(s60.map((c) => c.id)).size, 60, 'no repeats');
  assert.notDeepEqual(
    (await f.sample(10, 43)).map((c) => c.id),
    s10.map((c) => c.id),
    'another seed, another sample',
  );
  assert.notDeepEqual(
    s10.map((c) => c.id),
    Array.from({ length: 10 }, (_, i) => `syn-2-${i}`),
    'a random sample, not the head',
  );
  await assert.rejects(
    f.sample(101, 42),
    /sample\.jsonl holds 100 valid conversations; scale 101 is larger than the input.*--scales/,
  );
});

test('each bad input gets a message naming file, line, field and what was expected', async () => {
  const good = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] });
  const cases: [string, string | Buffer, RegExp, object?][] = [
    [
      'malformed.jsonl',
      `${good}\n{"messages": [\n`,
      /malformed\.jsonl:2: malformed JSON \(.*\); expected one JSON object per line/,
    ],
    [
      'missing.jsonl',
      `${good}\n{"msgs": []}\n`,
      /missing\.jsonl:2: field "messages": missing; expected a list of \{"role", "content"\} messages/,
    ],
    [
      'wrongtype.jsonl',
      `${good}\n{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":42}]}\n`,
      /wrongtype\.jsonl:2: field "messages\[1\]\.content": got number; expected a string/,
    ],
    [
      'badrole.jsonl',
      `${good}\n{"messages":[{"role":"robot","content":"a"}]}\n`,
      /badrole\.jsonl:2: field "messages\[0\]\.role": got "robot"; expected one of system, user, assistant, tool/,
    ],
    ['empty.jsonl', '', /empty\.jsonl: the file is empty \(0 bytes\); expected one JSON conversation per line/],
    ['blank.jsonl', '\n\n  \n', /blank\.jsonl: holds no conversations \(only blank lines\)/],
    [
      'latin1.jsonl',
      Buffer.concat([
        Buffer.from(`${good}\n{"messages":[{"role":"user","content":"caf`),
        Buffer.from([0xe9]),
        Buffer.from('"}]}\n'),
      ]),
      /latin1\.jsonl:2: invalid UTF-8 at byte 43 of the line; expected UTF-8 text/,
    ],
    [
      'huge.jsonl',
      `${good}\n${JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(5000) }] })}\n`,
      /huge\.jsonl:2: conversation is 4\.9 KiB, over the 4\.0 KiB limit; expected at most 4096 bytes per line/,
      { maxConversationBytes: 4096 },
    ],
    [
      'kura-date.jsonl',
      JSON.stringify({ chat_id: 'a', created_at: 'yesterday', messages: [] }) + '\n',
      /kura-date\.jsonl:1: field "created_at": got "yesterday"; expected an ISO 8601 date-time string/,
    ],
    [
      'sharegpt-from.jsonl',
      JSON.stringify({ conversations: [{ from: 'human' }] }) + '\n',
      /sharegpt-from\.jsonl:1: field "conversations\[0\]\.value": missing; expected a string/,
    ],
    [
      'unknown.jsonl',
      JSON.stringify({ text: 'hello' }) + '\n',
      /unknown\.jsonl:1: cannot tell the format .*pass --format/,
    ],
  ];
  for (const [name, content, re, opts] of cases) {
    await assert.rejects(openConversationFile(fixture(name, content), opts), (err: Error) => {
      assert.match(err.message, re, name);
      return true;
    });
  }
  // Format override: an OpenAI file read as ShareGPT names the missing ShareGPT field.
  await assert.rejects(
    openConversationFile(fixture('override.jsonl', `${good}\n`), { format: 'sharegpt' }),
    /override\.jsonl:1: field "conversations": missing/,
  );
  // A non-conversation Arrow file.
  await assert.rejects(
    openConversationFile(fixture('notarrow.arrow', 'ARROW1\0\0garbage'), { format: 'arrow' }),
    /notarrow\.arrow: not a readable Arrow IPC file/,
  );
});

test('--skip-invalid: counts bad lines, keeps the first 10 line numbers, sweeps the rest into results.json', async () => {
  const rows: string[] = [];
  const src = createConversationSource({ n: 150, seed: 3, intents: 4, languages: ['en'] });
  for (let i = 0; i < 150; i++) {
    rows.push(JSON.stringify(src.at(i)));
    if (i % 10 === 0) rows.push(i % 20 === 0 ? '{"messages": 5}' : 'not json');
  }
  const p = fixture('mixed.jsonl', rows.join('\n') + '\n');
  await assert.rejects(
    openConversationFile(p),
    /mixed\.jsonl:2: field "messages": got number; expected a list .*\n.*--skip-invalid/,
  );
  const f = await openConversationFile(p, { skipInvalid: true });
  assert.equal(f.summary.valid, 150);
  assert.equal(f.summary.invalid.count, 15);
  assert.deepEqual(f.summary.invalid.firstLines, [2, 13, 24, 35, 46, 57, 68, 79, 90, 101]);

  const profile = writeProfile(
    `
name: import
seed: 5
scales: [40, 150]
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 64 } }
  - { stage: cluster, method: kmeans, options: { k: 4 } }
`,
    tempDir(),
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true, input: p, skipInvalid: true });
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  const input = results.sections.input as { valid: number; invalid: { count: number; firstLines: number[] } };
  assert.equal(input.valid, 150);
  assert.equal(input.invalid.count, 15);
  assert.equal(input.invalid.firstLines.length, 10);
  assert.deepEqual(
    results.scales.map((s) => s.input?.conversations),
    [40, 150],
  );
  assert.ok(results.scales[1].quality.ari !== undefined, 'ground truth carried through our own JSONL');
  assert.match(
    readFileSync(join(runDir, 'report.md'), 'utf8'),
    /\*\*Input:\*\* `.*mixed\.jsonl` \(jsonl, detected\): 150 valid conversations of 165 records; \*\*15 invalid lines skipped\*\* \(first: 2, 13, 24/,
  );
  await assert.rejects(
    sweepCommand({ profile, out: join(dir, 'runs'), quiet: true, input: p, skipInvalid: true, scales: '40,1000' }),
    /holds 150 valid conversations \(15 invalid lines skipped\); scale 1000 is larger than the input/,
  );
});
