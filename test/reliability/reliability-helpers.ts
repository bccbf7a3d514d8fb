/** Shared by the reliability tests: the CLI as a child process, and a tiny offline profile. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** dist/harness/cli.js */
export const CLI = fileURLToPath(new URL('../../harness/cli.js', import.meta.url));

/** Run the CLI to completion; returns its status and output. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start the CLI; `stderr()` is what it has written so far, `exit` its status (or the signal's name). */
export function startCli(
  args: string[],
  env: Record<string, string | undefined> = {},
): { child: ChildProcess; stderr: () => string; exit: Promise<number | string> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exit = new Promise<number | string>((res) => child.once('exit', (code, signal) => res(code ?? signal ?? -1)));
  return { child, stderr: () => err, exit };
}

/** Wait until `cond` holds (polling every 10 ms), at most `ms`. */
export async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The offline profile (extractive, hashing, k-means) at the given scales. */
export function offlineYaml(name: string, seed: number, scales: number[], extra = ''): string {
  return `name: ${name}
seed: ${seed}
scales: [${scales.join(', ')}]
input: { kind: synthetic, options: { difficulty: 0, meanBytes: 400 } }
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 32 } }
  - { stage: cluster, method: kmeans, options: { k: 4, nInit: 1 } }
${extra}
`;
}
