/**
 * examples/python-openai-sim on real parts: its Python summariser (stdlib urllib only) as a command stage, pointed by
 * OPENAI_BASE_URL at the OpenAI-compatible simulator, a real HTTP server on 127.0.0.1, with its rate limit and 503s.
 * What the simulator counted and what the Python client counted must agree, and the summaries come back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { ipcFileToPipelineFields } from '../harness/io/arrow-pipeline-data.js';
import { textAt, textCount } from '../pipeline/support/text-column.js';
import { tempDir } from './test-helpers.js';

const PYTHON = '/usr/bin/python3';
// The example needs only the standard library; skip (saying why) only where there is no usable python3 at all.
const probe = spawnSync(PYTHON, ['-c', 'import json, urllib.request, concurrent.futures'], { encoding: 'utf8' });
const skip =
  probe.status === 0
    ? false
    : `${PYTHON} cannot run the example (${probe.error?.message ?? probe.stderr.trim()}): apt-get install -y python3`;

interface SimSection {
  requests: number;
  chatCompletions: number;
  responses: Record<string, number>;
  faults: { malformed: number };
}

test(
  'python-openai-sim: requests the simulator saw = requests the Python client made, 429/5xx counts match, summaries read back',
  { skip },
  async () => {
    const dir = tempDir();
    const example = resolve('examples/python-openai-sim');
    const seen = join(dir, 'base-url.txt');
    // A wrapper records the OPENAI_BASE_URL the stage was given, then runs the example's script unchanged.
    writeFileSync(
      join(dir, 'wrap.py'),
      `import os, runpy, sys\nopen(${JSON.stringify(seen)}, 'w').write(os.environ.get('OPENAI_BASE_URL', ''))\nsys.argv = [${JSON.stringify(join(example, 'summarise.py'))}]\nrunpy.run_path(sys.argv[0], run_name='__main__')\n`,
    );
    const profile = parse(readFileSync(join(example, 'profile.yaml'), 'utf8')) as {
      scales: number[];
      stages: { command?: string[] }[];
    };
    profile.scales = [60];
    profile.stages[0].command = [PYTHON, './wrap.py'];
    writeFileSync(join(dir, 'profile.yaml'), stringify(profile));
    const { results, runDir } = await sweepCommand({
      profile: join(dir, 'profile.yaml'),
      out: join(dir, 'runs'),
      quiet: true,
    });
    const rec = results.records.find((r) => r.stage === 'summarise')!;
    assert.equal(rec.status, 'ok', rec.reason);
    assert.equal(rec.command?.exitCode, 0);
    assert.match(
      readFileSync(seen, 'utf8'),
      /^http:\/\/127\.0\.0\.1:\d+/,
      'the simulator is a real HTTP server on 127.0.0.1',
    );
    const sim = results.sections.apiSimulator as SimSection;
    const c = rec.counters;
    assert.ok(c.requests > 60, `${c.requests} requests for 60 conversations (some retried)`);
    assert.equal(sim.requests, c.requests, 'every request the client made reached the simulator');
    assert.equal(sim.chatCompletions, c.requests);
    assert.equal(sim.responses['429'] ?? 0, c.http429, '429s: simulator vs client');
    const sim5xx = Object.entries(sim.responses)
      .filter(([k]) => k.startsWith('5'))
      .reduce((a, [, v]) => a + v, 0);
    assert.equal(sim5xx, c.http5xx, '5xx: simulator vs client');
    assert.ok(c.http429 + c.http5xx > 0, "the profile's rate limit and faults were exercised");
    // Completions made = 200 answers that were well-formed: one per conversation.
    assert.equal((sim.responses['200'] ?? 0) - sim.faults.malformed, 60);
    assert.equal(c.errors, 0);
    const file = readdirSync(join(runDir, 'checkpoints', 'n60')).find((f) => f.includes('summarise'))!;
    const { fields } = await ipcFileToPipelineFields(readFileSync(join(runDir, 'checkpoints', 'n60', file)));
    assert.equal(textCount(fields.summaries!), 60, 'one summary per conversation read back');
    for (let i = 0; i < 60; i++) assert.ok(textAt(fields.summaries!, i).length > 0, `summary ${i} is not empty`);
    assert.equal(
      results.records.find((r) => r.stage === 'cluster')?.status,
      'ok',
      'the summaries fed the rest of the pipeline',
    );
  },
);
