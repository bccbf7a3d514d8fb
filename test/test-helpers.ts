/** Shared helpers for tests: temp folders and profile files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder. */
export function tempDir(prefix = 'clusterbench-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write a profile YAML into a temp folder and return its path. */
export function writeProfile(yaml: string, dir = tempDir()): string {
  const p = join(dir, 'profile.yaml');
  writeFileSync(p, yaml);
  return p;
}
