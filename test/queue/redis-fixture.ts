/** A real redis-server on 127.0.0.1 and a free port, for the queue tests; stopped when the test process ends. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** True when a redis-server binary is on PATH (.ci/run installs Debian's). */
export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Start redis-server; resolves with its URL once it answers PING. */
export async function startRedis(password?: string): Promise<{ url: string; stop: () => void; proc: ChildProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cb-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...(password ? ['--requirepass', password] : []),
  ];
  const proc = spawn('redis-server', args, { stdio: 'ignore' });
  const stop = (): void => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  for (let i = 0; i < 100; i++) {
    const ping = spawnSync(
      'redis-cli',
      ['-p', String(port), ...(password ? ['-a', password, '--no-auth-warning'] : []), 'ping'],
      { encoding: 'utf8' },
    );
    if (ping.stdout?.trim() === 'PONG')
      return { url: `redis://${password ? `:${password}@` : ''}127.0.0.1:${port}`, stop, proc };
    await new Promise((r) => setTimeout(r, 50));
  }
  stop();
  throw new Error(`redis-server on port ${port} did not answer PING`);
}
