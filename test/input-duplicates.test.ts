import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { readResults } from '../harness/sweep/run-directory.js';
import { openConversationFile } from '../generators/import/conversation-file.js';
import { countFileDuplicates, duplicateWarning } from '../harness/sweep/input-duplicates.js';
import { tempDir, writeProfile } from './test-helpers.js';

// 40 distinct user questions, then 360 copies of 10 of them: 360 of 400 rows repeat an earlier text (90%).
function fileWithCopies(dir: string): string {
  const line = (i: number): string =>
    JSON.stringify({
      messages: [
        { role: 'user', content: `Question number ${i}: how do I fix problem ${i}?` },
        { role: 'assistant', content: 'Try this.' },
      ],
    });
  const rows = [...Array(40).keys()].map(line);
  for (let j = 0; j < 360; j++) rows.push(line(j % 10));
  const p = join(dir, 'copies.jsonl');
  writeFileSync(p, rows.join('\n') + '\n');
  return p;
}

test('duplicates of an input file are counted, warned about over 10% and reported', async () => {
  const dir = tempDir();
  const p = fileWithCopies(dir);
  const d = await countFileDuplicates(await openConversationFile(p));
  assert.deepEqual(d, { count: 360, fraction: 0.9 });
  assert.match(duplicateWarning(d) ?? '', /^90\.0% of the input's conversations \(360\) are exact duplicates/);
  assert.equal(duplicateWarning({ count: 10, fraction: 0.1 }), undefined, 'at most 10%: no warning');
  const profile = writeProfile(
    `
name: dups
seed: 5
scales: [400]
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 32 } }
  - { stage: cluster, method: kmeans, options: { k: 4 } }
`,
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true, input: p });
  const r = readResults(runDir);
  assert.deepEqual(r.sections.input?.duplicates, { count: 360, fraction: 0.9 });
  assert.match(
    readFileSync(join(runDir, 'report.md'), 'utf8'),
    /\*\*Duplicates:\*\* 360 of 400 conversations \(90\.0%\) repeat an earlier one's text ⚠ over 10%/,
  );
});

test('--dedupe samples distinct conversations only, nested, and scales default to the distinct count', async () => {
  const dir = tempDir();
  const p = fileWithCopies(dir);
  const profile = writeProfile(
    `
name: dedupe
seed: 5
scales: [400]
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 32 } }
  - { stage: cluster, method: kmeans, options: { k: 4 } }
`,
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true, input: p, dedupe: true });
  const r = readResults(runDir);
  assert.deepEqual(
    (r.profile as { scales: number[] }).scales,
    [40],
    'no --scales and the profile scale cannot be filled: all 40 distinct conversations',
  );
  assert.deepEqual(r.sections.input?.duplicates, { count: 360, fraction: 0.9, dropped: true });
  assert.equal(r.scales[0].input?.uniqueFraction, 1, 'every sampled text distinct');
  assert.match(
    readFileSync(join(runDir, 'report.md'), 'utf8'),
    /dropped \(dedupe\): scales sample distinct conversations/,
  );
  await assert.rejects(
    sweepCommand({ profile, out: join(dir, 'runs'), quiet: true, input: p, dedupe: true, scales: '30,41' }),
    /holds 40 distinct conversations \(of 400 valid; dedupe is on\); scale 41 is larger/,
  );
  await assert.rejects(
    sweepCommand({ profile, out: join(dir, 'runs'), quiet: true, dedupe: true }),
    /--dedupe .*apply to --input FILE/,
  );
});
