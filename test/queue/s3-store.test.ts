/**
 * The S3 backend of the cell store on real parts: s3rver on 127.0.0.1 (access key ids checked), a real redis-server,
 * workers as separate `clusterbench worker --store s3://…` processes configured only through the AWS environment.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweepCommand } from '../../harness/commands/sweep-command.js';
import { openCellStore } from '../../harness/queue/open-cell-store.js';
import { S3CellStore } from '../../harness/queue/s3-cell-store.js';
import type { RunResults } from '../../harness/types.js';
import { tempDir, tinyPipelineYaml, writeProfile } from '../test-helpers.js';
import { startRedis, redisAvailable } from './redis-fixture.js';
import { startS3, type S3Server } from './s3-fixture.js';

const cli = fileURLToPath(new URL('../../harness/cli.js', import.meta.url));
const password = 'redis-pw-never-in-results';
let redis: Awaited<ReturnType<typeof startRedis>>;
let s3: S3Server;
let env: NodeJS.ProcessEnv;

before(async () => {
  assert.ok(redisAvailable(), "redis-server is not installed (.ci/run installs Debian's redis-server)");
  redis = await startRedis(password);
  s3 = await startS3('cells');
  env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: 'us-east-1',
    CLUSTERBENCH_S3_ENDPOINT: s3.endpoint,
  };
  // The coordinator runs in this process: it reads the same environment the workers get.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });
});
after(async () => {
  redis?.stop();
  await s3?.stop();
});

const cellKey = (r: RunResults['records'][number]): string => `${r.scale} ${r.stage}/${r.method} r${r.repeat}`;
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());

test('the S3 store: put, get and has round-trip a file; an absent key is named; a bad URL or endpoint is refused', async () => {
  const store = openCellStore('s3://cells/unit', { endpoint: s3.endpoint, cacheDir: join(tempDir(), 'cache') });
  assert.ok(store instanceof S3CellStore);
  assert.equal(store.location, 's3://cells/unit');
  assert.equal(await store.has('a/b.arrow'), false);
  const scratch = store.scratchPath('a/b.arrow');
  writeFileSync(scratch, 'bytes of a cell');
  await store.put('a/b.arrow', scratch);
  assert.equal(await store.has('a/b.arrow'), true);
  assert.equal(readFileSync(await store.get('a/b.arrow'), 'utf8'), 'bytes of a cell');
  // The object lies in the bucket under the prefix (s3rver keeps it as a file).
  assert.ok(
    filesUnder(join(s3.directory, 'cells', 'unit', 'a')).length > 0,
    'the object is in the bucket under unit/a/',
  );
  await assert.rejects(store.get('a/missing.arrow'), /cell store s3:\/\/cells\/unit: no object "a\/missing\.arrow"/);
  assert.throws(() => openCellStore('s3://B_ad/x'), /expected s3:\/\/BUCKET\/PREFIX/);
  assert.throws(
    () => openCellStore('s3://cells/x', { endpoint: 'http://k:s@127.0.0.1:1' }),
    /credentials in AWS_ACCESS_KEY_ID/,
  );
  // s3rver checks the access key id (it does not verify SigV4 signatures): an unknown key is an error naming the key.
  const saved = process.env.AWS_ACCESS_KEY_ID;
  process.env.AWS_ACCESS_KEY_ID = 'NOSUCHKEY';
  try {
    const other = new S3CellStore('s3://cells/unit', { endpoint: s3.endpoint, cacheDir: join(tempDir(), 'cache2') });
    await assert.rejects(
      other.get('a/b.arrow'),
      /cell store s3:\/\/cells\/unit: reading "a\/b\.arrow" failed: InvalidAccessKeyId/,
    );
    await assert.rejects(other.has('a/b.arrow'), /checking "a\/b\.arrow" failed/);
  } finally {
    process.env.AWS_ACCESS_KEY_ID = saved;
  }
});

interface WorkerProc {
  proc: ChildProcess;
  label: string;
  log: string[];
}

function startWorker(store: string, label: string): Promise<WorkerProc> {
  const proc = spawn(
    process.execPath,
    [cli, 'worker', '--queue', redis.url, '--store', store, '--prefix', 's3', '--label', label],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  const w: WorkerProc = { proc, label, log: [] };
  proc.stdout.setEncoding('utf8').on('data', (s: string) => w.log.push(...s.split('\n').filter(Boolean)));
  return new Promise((resolve, reject) => {
    proc.stderr.setEncoding('utf8').on('data', (s: string) => {
      for (const line of s.split('\n').filter(Boolean)) {
        w.log.push(line);
        if (/ worker .* cell\(s\) at a time/.test(line)) resolve(w);
      }
    });
    proc.once('exit', (code) => reject(new Error(`worker ${label} exited with ${code}: ${w.log.join('\n')}`)));
  });
}

test('a sweep through the queue with an S3 store equals the same sweep run locally, and no secret is written anywhere', async () => {
  const dir = tempDir();
  const profile = writeProfile(tinyPipelineYaml({ name: 's3', seed: 6, scales: [150, 300] }), dir);
  const local = await sweepCommand({ profile, out: join(dir, 'local'), quiet: true });
  const store = 's3://cells/sweeps';
  const workers = await Promise.all(['s3-a', 's3-b'].map((l) => startWorker(store, l)));
  const progress: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  try {
    // The coordinator's progress lines are captured too: they are logs that must not carry a secret.
    process.stderr.write = (chunk: string | Uint8Array) => {
      progress.push(String(chunk));
      return true;
    };
    let remote;
    try {
      remote = await sweepCommand({
        profile,
        out: join(dir, 'remote'),
        queue: redis.url,
        store,
        s3Endpoint: s3.endpoint,
        queuePrefix: 's3',
      });
    } finally {
      process.stderr.write = write;
    }
    const a = local.results;
    const b = remote.results;
    assert.deepEqual(b.records.map(cellKey).sort(), a.records.map(cellKey).sort());
    assert.ok(
      b.records.every((r) => r.status === 'ok'),
      b.records.map((r) => `${cellKey(r)} ${r.status} ${r.reason ?? ''}`).join('\n'),
    );
    for (const [i, s] of a.scales.entries()) {
      assert.equal(b.scales[i].quality.ari, s.quality.ari, `ARI at n=${s.scale}`);
      assert.equal(b.scales[i].quality.nmi, s.quality.nmi, `NMI at n=${s.scale}`);
      assert.equal(b.scales[i].quality.clusterCount, s.quality.clusterCount);
    }
    for (const r of b.records)
      assert.ok(r.worker && ['s3-a', 's3-b'].includes(r.worker.label), `${cellKey(r)} names its worker`);
    const section = b.sections.workers!;
    assert.equal(section.store, 's3://cells/sweeps');
    // Inputs and outputs went through the bucket: one input per stage and scale, one output per cell.
    const objects = filesUnder(join(s3.directory, 'cells', 'sweeps', section.sweepId)).filter((f) =>
      f.endsWith('._S3rver_object'),
    );
    assert.equal(objects.filter((f) => f.includes('.in.arrow')).length, 6, objects.join('\n'));
    assert.equal(objects.filter((f) => f.includes('.out.arrow')).length, 6, objects.join('\n'));
    // Secrets: neither the S3 secret key nor the Redis password is in results, reports, logs or the workers' output.
    const texts = [
      ...filesUnder(remote.runDir).map((f) => [f, readFileSync(f, 'latin1')] as const),
      ['coordinator log', progress.join('')] as const,
      ...workers.map((w) => [`worker ${w.label} log`, w.log.join('\n')] as const),
    ];
    assert.ok(texts.length >= 4 && progress.join('').includes('s3://cells/sweeps'), 'the logs were captured');
    for (const [where, text] of texts) {
      assert.ok(!text.includes(s3.secretAccessKey), `the S3 secret key is not in ${where}`);
      assert.ok(!text.includes(password), `the Redis password is not in ${where}`);
    }
  } finally {
    for (const w of workers) w.proc.kill('SIGKILL');
  }
});
