// Issue 13, item 3: --resume refuses an input file or profile that changed since the run started, saying what
// changed, and refuses flags it would ignore (--profile, --out...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../../harness/commands/sweep-command.js';
import type { RunResults } from '../../harness/types.js';
import { tempDir, writeProfile, crashAfterCells } from '../test-helpers.js';
import { offlineYaml, runCli } from './reliability-helpers.js';

const TOPICS = [
  'refund for a double charge',
  'python list sorting',
  'docker network ports',
  'bread dough rising',
  'hotel booking dates',
];
const jsonl = (n: number, tag: string): string =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: `help with ${TOPICS[i % 5]} ${tag} ${i}` },
        { role: 'assistant', content: 'Sure, here is how.' },
      ],
    }),
  ).join('\n') + '\n';

async function interruptedRun(dir: string, input: string): Promise<string> {
  const profile = writeProfile(
    offlineYaml('guard', 7, [40, 80]).replace(
      'input: { kind: synthetic, options: { difficulty: 0, meanBytes: 400 } }',
      `input: { kind: file, path: ${JSON.stringify(input)} }`,
    ),
    dir,
  );
  await assert.rejects(
    sweepCommand({ profile, out: join(dir, 'runs'), quiet: true, observers: crashAfterCells(2) }),
    /simulated crash/,
  );
  return join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]);
}

test('item 3: resume refuses a replaced input file (other size, or same size and other content), and resumes once it is restored', async () => {
  const dir = tempDir();
  const input = join(dir, 'conversations.jsonl');
  const original = jsonl(100, 'aaaa');
  writeFileSync(input, original);
  const runDir = await interruptedRun(dir, input);

  writeFileSync(input, jsonl(120, 'aaaa'));
  await assert.rejects(
    sweepCommand({ profile: 'quick', resume: runDir, quiet: true }),
    /the input file .*conversations\.jsonl changed since the run started: \d+ bytes then, \d+ now; resuming would mix two datasets/,
  );
  writeFileSync(input, jsonl(100, 'bbbb')); // same size, other texts
  await assert.rejects(sweepCommand({ profile: 'quick', resume: runDir, quiet: true }), /same size, different content/);
  assert.equal(
    (JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults).records.length,
    2,
    'a refused resume changes nothing',
  );

  writeFileSync(input, original);
  const { results } = await sweepCommand({ profile: 'quick', resume: runDir, quiet: true });
  assert.equal(results.records.length, 6);
});

test('item 3: resume refuses an edited profile file', async () => {
  const dir = tempDir();
  const input = join(dir, 'conversations.jsonl');
  writeFileSync(input, jsonl(100, 'cccc'));
  const runDir = await interruptedRun(dir, input);
  const profile = join(dir, 'profile.yaml');
  writeFileSync(profile, readFileSync(profile, 'utf8').replace('seed: 7', 'seed: 8'));
  await assert.rejects(
    sweepCommand({ profile: 'quick', resume: runDir, quiet: true }),
    /the profile file .*profile\.yaml changed since the run started/,
  );
});

test('item 3: --resume with --profile or --out is a usage error (exit 2), not silently ignored', () => {
  const dir = tempDir();
  for (const flags of [
    ['--profile', 'quick'],
    ['--out', dir],
    ['--profile', 'quick', '--out', dir],
  ]) {
    const r = runCli(['sweep', '--resume', dir, ...flags]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`drop ${flags.filter((f) => f.startsWith('--')).join(', ')} \\(they would be ignored\\)`),
    );
  }
});
