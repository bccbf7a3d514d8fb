/** Shared helpers for tests: temp folders and profile files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SweepHooks } from '../harness/sweep/sweep-hooks.js';

const created: string[] = [];
// Each test file runs in its own process: remove its temp folders when it exits (set KEEP_TEST_DIRS=1 to inspect them).
process.on('exit', () => {
  if (process.env.KEEP_TEST_DIRS) return;
  for (const d of created) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp folder, removed when the test process exits. */
export function tempDir(prefix = 'clusterbench-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  created.push(d);
  return d;
}

/** Write a profile YAML into a temp folder and return its path. */
export function writeProfile(yaml: string, dir = tempDir()): string {
  const p = join(dir, 'profile.yaml');
  writeFileSync(p, yaml);
  return p;
}

/** Options for tinyPipelineYaml. */
export interface TinyPipelineOptions {
  name: string;
  seed: number;
  scales: number[];
  dims?: number;
  k?: number;
  /** Extra top-level YAML lines appended as they are. */
  extra?: string;
}

/** The offline summarise -> hashing embed -> k-means profile most tests sweep, as YAML. */
export function tinyPipelineYaml(o: TinyPipelineOptions): string {
  return `
name: ${o.name}
seed: ${o.seed}
scales: [${o.scales.join(', ')}]
input: { kind: synthetic, options: { difficulty: 0 } }
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: ${o.dims ?? 64} } }
  - { stage: cluster, method: kmeans, options: { k: ${o.k ?? 8}, nInit: 1 } }
${o.extra ?? ''}
`;
}

/** Sweep observers that throw after `n` cells are checkpointed: a sweep killed mid-run, for resume tests. */
export function crashAfterCells(n: number): SweepHooks {
  let cells = 0;
  return {
    cellDone() {
      if (++cells >= n) throw new Error(`simulated crash after ${cells} cells`);
    },
  };
}
