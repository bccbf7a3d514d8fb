import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Piscina } from 'piscina';
import { runStageOnce } from '../harness/sweep/stage-run.js';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { decodeNpy, readNpyFile, writeNpyFile } from '../harness/io/npy-file.js';
import type { Matrix, PipelineData } from '../harness/types.js';
import { tempDir } from './test-helpers.js';
import { packTexts, textAt, textCount } from '../pipeline/support/text-column.js';

const PYTHON = '/usr/bin/python3';
const noPool = null as unknown as Piscina; // command stages never use the worker pool

function numpyAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
// Not skipped without numpy: CI installs it (.ci/run), and a silent skip would hide a broken setup.
const needsNumpy = {};
test('/usr/bin/python3 has numpy (Debian python3-numpy, installed by .ci/run)', () => {
  assert.ok(numpyAvailable(), `${PYTHON} cannot import numpy: apt-get install -y python3-numpy python3-sklearn`);
});

function matrix(rows: number, cols: number): Matrix {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  return { rows, cols, data };
}

async function commandProfile(dir: string, stage: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return validateProfile(
    {
      name: 'cmd',
      scales: [50],
      stages: [{ stage: 'cluster', method: 'py', ...stage }],
      sampling: { intervalMs: 10 },
      ...extra,
    },
    'profile.yaml',
    dir,
  );
}

test(
  ".npy files we write load in numpy with the right dtype, shape and values, and numpy's files read back here",
  needsNumpy,
  () => {
    const dir = tempDir();
    const m = matrix(7, 3);
    writeNpyFile(join(dir, 'm.npy'), m.data, [7, 3]);
    writeNpyFile(join(dir, 'l.npy'), Int32Array.from([3, -1, 0, 2147483647]), [4]);
    const py = `
import numpy as np, sys
m = np.load(sys.argv[1] + '/m.npy'); l = np.load(sys.argv[1] + '/l.npy')
print(m.dtype, m.shape, m.flags['C_CONTIGUOUS'], repr(float(m[6, 2])), l.dtype, l.shape, l.tolist())
np.save(sys.argv[1] + '/a.npy', np.arange(12, dtype=np.float64).reshape(4, 3) / 4)
np.save(sys.argv[1] + '/b.npy', np.array([5, -1, 7]))  # int64 by default
np.save(sys.argv[1] + '/c.npy', np.zeros((2, 2), dtype='>f4'))
np.save(sys.argv[1] + '/d.npy', np.asfortranarray(np.ones((3, 2), dtype=np.float32)))
`;
    const out = execFileSync(PYTHON, ['-c', py, dir], { encoding: 'utf8' }).trim();
    const match = /^float32 \(7, 3\) True (\S+) int32 \(4,\) \[3, -1, 0, 2147483647\]$/.exec(out);
    assert.ok(match, out);
    assert.equal(Number(match[1].replace(/'/g, '')), m.data[20], 'the last value survives exactly');
    const a = readNpyFile(join(dir, 'a.npy'));
    assert.deepEqual([a.descr, a.shape, Array.from(a.data.slice(0, 3))], ['<f8', [4, 3], [0, 0.25, 0.5]]);
    const b = readNpyFile(join(dir, 'b.npy'));
    assert.ok(b.data instanceof Int32Array);
    assert.deepEqual([b.descr, Array.from(b.data)], ['<i8', [5, -1, 7]]);
    assert.throws(() => readNpyFile(join(dir, 'c.npy'), 'c.npy'), /c\.npy: dtype '>f4' is not supported/);
    assert.throws(() => readNpyFile(join(dir, 'd.npy'), 'd.npy'), /d\.npy: Fortran-order array/);
  },
);

test('malformed .npy bytes are refused with the file name and what is wrong', () => {
  assert.throws(() => decodeNpy(new TextEncoder().encode('hello world'), 'x.npy'), /x\.npy: not an \.npy file/);
  const dir = tempDir();
  writeNpyFile(join(dir, 't.npy'), new Float32Array(10), [10]);
  const full = readFileSync(join(dir, 't.npy'));
  assert.throws(
    () => decodeNpy(full.subarray(0, full.length - 4), 't.npy'),
    /t\.npy: truncated: shape \(10\) of '<f4' needs 40 data bytes, the file has 36/,
  );
  const back = decodeNpy(full, 't.npy');
  assert.equal(back.data.buffer.byteLength, 40, "the array owns a buffer of its own size (not the file buffer's pool)");
  assert.equal((full.length - 40) % 64, 0, 'data starts at a multiple of 64 bytes, as numpy writes');
});

test(
  'a command stage gets its inputs and manifest, its labels are read back, its process tree is measured',
  needsNumpy,
  async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'c.py'),
      `
import json, os, sys, numpy as np
m = json.load(open(os.environ['CLUSTERBENCH_MANIFEST']))
x = np.load(m['inputs']['embeddings']['path'])
assert m['options']['k'] == int(sys.argv[2]) and sys.argv[1] == str(m['seed'])
block = bytearray(64 << 20)  # 64 MB, touched
for i in range(0, len(block), 4096): block[i] = 1
import time; time.sleep(0.3)
np.save(m['outputs']['labels']['path'], (np.arange(m['n']) % m['options']['k']).astype(np.int64))
print('done', x.shape)
`,
    );
    const profile = await commandProfile(dir, { command: [PYTHON, './c.py', '{seed}', '{k}'], options: { k: 4 } });
    const data: PipelineData = { n: 50, embeddings: matrix(50, 8) };
    const { record, data: out } = await runStageOnce(noPool, profile.stages[0], profile, data, 50, 0);
    assert.equal(record.status, 'ok', record.reason);
    assert.deepEqual(Array.from(out!.labels!.slice(0, 6)), [0, 1, 2, 3, 0, 1]);
    assert.equal(out!.embeddings, data.embeddings, 'the input comes back with the output');
    assert.ok(record.rssTimeline.length >= 10, `${record.rssTimeline.length} RSS points`);
    assert.ok(record.peakRssBytes > 64 * 2 ** 20, `peak ${record.peakRssBytes} covers the 64 MB block`);
    assert.ok(record.cpuUserMs + record.cpuSystemMs > 0 && record.command?.cpuSource === 'reaped');
    assert.equal(record.command?.exitCode, 0);
    assert.match(record.command.stdoutTail, /done \(50, 8\)/);
  },
);

test(
  'bad outputs and failing commands are errors naming the profile key and the file; the cell folder is kept for inspection',
  needsNumpy,
  async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'bad.py'),
      `
import json, os, sys, numpy as np
m = json.load(open(os.environ['CLUSTERBENCH_MANIFEST']))
mode = sys.argv[1]
p = m['outputs']['labels']['path']
if mode == 'short': np.save(p, np.zeros(m['n'] - 1, dtype=np.int32))
elif mode == 'float': np.save(p, np.zeros(m['n'], dtype=np.float32))
elif mode == 'garbage': open(p, 'w').write('not numpy')
elif mode == 'negative': np.save(p, np.full(m['n'], -3, dtype=np.int32))
elif mode == 'fail': sys.stderr.write('Traceback: ValueError: bad k\\n'); sys.exit(3)
elif mode == 'oom': raise MemoryError()
`,
    );
    const cases: [string, RegExp][] = [
      [
        'short',
        /cluster\/py \(stages\[0\]\.writes, command file \.\/bad\.py\): output outputs\/labels\.npy: shape \(49,\), expected \(50,\): one int32 label per conversation/,
      ],
      ['float', /outputs\/labels\.npy: dtype '<f4', expected an integer dtype/],
      ['garbage', /outputs\/labels\.npy: not an \.npy file/],
      ['negative', /outputs\/labels\.npy: label -3 at row 0/],
      ['missing', /outputs\/labels\.npy: was not written \(expected labels: \.npy of shape \(50,\)\)/],
      ['fail', /cluster\/py \(stages\[0\]\): exited with code 3; stderr: Traceback: ValueError: bad k/],
    ];
    for (const [mode, re] of cases) {
      const profile = await commandProfile(dir, { command: [PYTHON, './bad.py', mode] });
      const { record, data } = await runStageOnce(
        noPool,
        profile.stages[0],
        profile,
        { n: 50, embeddings: matrix(50, 4) },
        50,
        0,
      );
      assert.equal(record.status, 'error', `${mode}: ${record.status} ${record.reason}`);
      assert.match(record.reason!, re, mode);
      assert.equal(data, undefined);
      const kept = /kept in (\S+)$/.exec(record.reason!)?.[1];
      if (kept) {
        assert.ok(existsSync(join(kept, 'manifest.json')), "the failed cell's folder is kept");
        rmSync(kept, { recursive: true, force: true });
      }
    }
    const profile = await commandProfile(dir, { command: [PYTHON, './bad.py', 'oom'] });
    const { record } = await runStageOnce(
      noPool,
      profile.stages[0],
      profile,
      { n: 50, embeddings: matrix(50, 4) },
      50,
      0,
    );
    assert.equal(record.status, 'oom', `a Python MemoryError is oom: ${record.reason}`);
  },
);

test('a command stage past its memory limit is killed and recorded oom', needsNumpy, async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'big.py'), 'import time\nb = b"\\x01" * (400 << 20)\ntime.sleep(10)\n');
  const profile = await commandProfile(dir, { command: [PYTHON, './big.py'], memoryMb: 150 });
  const { record } = await runStageOnce(noPool, profile.stages[0], profile, { n: 10 }, 10, 0);
  assert.equal(record.status, 'oom', record.reason);
  assert.match(record.reason!, /above the stage's memory limit of 150 MiB; killed the tree \(1 process\)/);
  assert.ok(record.wallMs < 8000, 'killed, not waited for');
});

test('a command that sleeps past its timeout is killed with its children and recorded timeout', async () => {
  const dir = tempDir();
  // Two background children (one in a new session, out of the process group) and a foreground sleep.
  writeFileSync(
    join(dir, 'sleepy.sh'),
    '#!/bin/sh\nsleep 60 &\necho $! > pids\nsetsid sleep 61 &\necho $! >> pids\nsleep 62\n',
    { mode: 0o755 },
  );
  const profile = await commandProfile(dir, { command: ['./sleepy.sh'], timeoutSec: 1 });
  const { record } = await runStageOnce(
    noPool,
    profile.stages[0],
    profile,
    { n: 10, embeddings: matrix(10, 2) },
    10,
    0,
  );
  assert.equal(record.status, 'timeout', record.reason);
  assert.match(record.reason!, /time budget exceeded \(1 s\); killed the process tree \([34] processes\)/);
  assert.ok(record.wallMs >= 1000 && record.wallMs < 5000, `${record.wallMs} ms`);
  const pids = readFileSync(join(dir, 'pids'), 'utf8').trim().split('\n').map(Number);
  assert.equal(pids.length, 2);
  await new Promise((r) => setTimeout(r, 200));
  for (const pid of pids) {
    const state = existsSync(`/proc/${pid}/stat`)
      ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]
      : 'gone';
    assert.ok(state === 'gone' || state === 'Z', `child ${pid} still running (state ${state})`);
  }
});

test('bad command stages are refused at profile load, naming the key', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ok.py'), 'print(1)\n');
  const bad: [Record<string, unknown>, RegExp][] = [
    [
      { command: ['no-such-program-xyz', 'a'] },
      /profile\.yaml: stages\[0\]\.command\[0\]: program "no-such-program-xyz" not found on PATH/,
    ],
    [
      { command: ['./missing.sh'] },
      /stages\[0\]\.command\[0\]: program "\.\/missing\.sh" not found \(or not executable\)/,
    ],
    [{ command: [PYTHON, './nope.py'] }, /stages\[0\]\.command\[1\]: \.\/nope\.py: no such file/],
    [
      { command: [PYTHON, './ok.py', '--k', '{k}'] },
      /stages\[0\]\.command\[3\]: placeholder \{k\} is neither an option of this stage/,
    ],
    [{ command: [PYTHON, './ok.py'], method: 'kmeans' }, /stages\[0\]\.method: "kmeans" is a built-in cluster method/],
    [{ writes: ['labels'] }, /stages\[0\]: writes applies to command stages only/],
    [{ command: [PYTHON, './ok.py'], writes: ['lables'] }, /stages\[0\]\.writes\[0\]: must be one of/],
    [{ command: [PYTHON, './ok.py'], reads: ['truth'] }, /stages\[0\]\.reads\[0\]: must be one of/],
  ];
  for (const [stage, re] of bad) {
    await assert.rejects(commandProfile(dir, { method: 'py', ...stage }), re, JSON.stringify(stage));
  }
  const ok = await commandProfile(dir, { command: [PYTHON, './ok.py', '{k}'], options: { k: 3 } });
  assert.equal(ok.stages[0].cwd, dir);
  assert.deepEqual(ok.stages[0].writes, ['labels']);
  const again = await validateProfile(ok, 'results.json: profile', '/');
  assert.deepEqual(again.stages[0], ok.stages[0], 'a resolved profile resolves to itself');
});

test('arrow format: one Arrow IPC file each way (read and written here by a Node command with apache-arrow)', async () => {
  // Under dist/ so that the script's `import 'apache-arrow'` finds our node_modules.
  const dir = mkdtempSync(join(process.cwd(), 'dist', 'test', 'arrow-command-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'arrow-stage.mjs'),
    `
import { readFileSync, writeFileSync } from 'node:fs';
import { tableFromIPC, tableToIPC, tableFromArrays } from 'apache-arrow';
const m = JSON.parse(readFileSync(process.env.CLUSTERBENCH_MANIFEST, 'utf8'));
const t = tableFromIPC(readFileSync(m.inputs.embeddings.path));
const col = t.getChild('embeddings');
const labels = Int32Array.from({ length: m.n }, (_, i) => (col.get(i).get(0) > 0 ? 1 : 0));
writeFileSync(m.outputs.labels.path, tableToIPC(tableFromArrays({ labels }), 'file'));
`,
  );
  const profile = await commandProfile(dir, { command: [process.execPath, './arrow-stage.mjs'], format: 'arrow' });
  const m = matrix(30, 3);
  const { record, data } = await runStageOnce(noPool, profile.stages[0], profile, { n: 30, embeddings: m }, 30, 0);
  assert.equal(record.status, 'ok', record.reason);
  for (let i = 0; i < 30; i++) assert.equal(data!.labels![i], m.data[i * 3] > 0 ? 1 : 0);
});

test('arrow format, text both ways: a command reads a utf8 column and writes one back; 49 rows for 50 is an error naming the key, the command file, the rows and the shape (pyarrow is not installed here: the command uses apache-arrow)', async () => {
  const dir = mkdtempSync(join(process.cwd(), 'dist', 'test', 'arrow-text-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'arrow-text.mjs'),
    `
import { readFileSync, writeFileSync } from 'node:fs';
import { Table, Utf8, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
const m = JSON.parse(readFileSync(process.env.CLUSTERBENCH_MANIFEST, 'utf8'));
const t = tableFromIPC(readFileSync(m.inputs.conversations.path));
if (String(t.schema.fields.find((f) => f.name === 'conversations').type) !== 'Utf8') throw new Error('not utf8');
const texts = Array.from({ length: t.numRows - (process.argv[2] === 'short' ? 1 : 0) }, (_, i) => '\u00bb ' + t.getChild('conversations').get(i).toUpperCase());
// A plain utf8 column, as pyarrow's pa.array(list_of_str) writes (tableFromArrays would dictionary-encode it).
writeFileSync(m.outputs.summaries.path, tableToIPC(new Table({ summaries: vectorFromArray(texts, new Utf8()) }), 'file'));
`,
  );
  const texts = Array.from({ length: 50 }, (_, i) => `conversation ${i}: caf\u00e9 \u{1F600} na\u00efve`);
  const input: PipelineData = { n: 50, conversations: packTexts(texts) };
  const profile = await commandProfile(dir, {
    stage: 'summarise',
    method: 'arrow-text',
    command: [process.execPath, './arrow-text.mjs'],
    format: 'arrow',
  });
  const { record, data } = await runStageOnce(noPool, profile.stages[0], profile, input, 50, 0);
  assert.equal(record.status, 'ok', record.reason);
  assert.equal(textCount(data!.summaries!), 50);
  for (let i = 0; i < 50; i++)
    assert.equal(
      textAt(data!.summaries!, i),
      `\u00bb ${texts[i].toUpperCase()}`,
      `row ${i} round-trips, non-ASCII included`,
    );
  const short = await commandProfile(dir, {
    stage: 'summarise',
    method: 'arrow-text',
    command: [process.execPath, './arrow-text.mjs', 'short'],
    format: 'arrow',
  });
  const bad = await runStageOnce(noPool, short.stages[0], short, input, 50, 0);
  assert.equal(bad.record.status, 'error');
  assert.match(
    bad.record.reason!,
    /summarise\/arrow-text \(stages\[0\]\.writes, command file \.\/arrow-text\.mjs\): output outputs\/outputs\.arrow: 49 rows, expected 50 \(one per conversation\) in column\(s\) "summaries"/,
  );
  const kept = /kept in (\S+)$/.exec(bad.record.reason!)?.[1];
  if (kept) rmSync(kept, { recursive: true, force: true });
});
