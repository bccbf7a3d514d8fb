/**
 * Where cell inputs and outputs live while a sweep runs on several machines: every worker and the coordinator must be
 * able to read and write it. A key is a relative path such as `<sweepId>/n1000/s1-embed.arrow`.
 *
 * Backends, both behind `CellStore` below, opened from `--store` by open-cell-store.ts:
 * - a directory (local disk for one machine, NFS or any shared mount for several): `--store DIR`;
 * - an S3-compatible object store (s3-cell-store.ts): `--store s3://bucket/prefix`, credentials from the standard AWS
 *   environment, `--s3-endpoint` / CLUSTERBENCH_S3_ENDPOINT for MinIO-compatible servers (path-style addressing).
 * The contract a backend keeps: `put` makes a whole object visible at once (never half of it); `get` returns a local
 * path to read (the object itself, or a cached download); `has` never throws for an absent key; `scratchPath` is a
 * local file a writer fills before `put` and removes after it; `location` re-opens the same store when passed back
 * as `--store` and never holds credentials.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserError } from '../../pipeline/support/user-error.js';

/** The interface a shared store implements. Files are whole objects: written once, read many times. */
export interface CellStore {
  /** A human-readable location, for logs and results (never holds credentials). */
  readonly location: string;
  /** Copy a local file in under `key` (atomically: readers never see half an object). */
  put(key: string, localPath: string): Promise<void>;
  /** A local path holding the object (for a directory store, the object itself). Throws naming the key when absent. */
  get(key: string): Promise<string>;
  has(key: string): Promise<boolean>;
  /** A local path where a writer may build an object before `put`; for a directory store, inside it. */
  scratchPath(key: string): string;
}

/** A store rooted at a directory that every worker mounts at the same path. */
export class DirectoryCellStore implements CellStore {
  readonly location: string;
  constructor(private readonly root: string) {
    this.location = resolve(root);
    mkdirSync(this.location, { recursive: true });
  }

  private pathOf(key: string): string {
    const p = resolve(this.location, key);
    if (!p.startsWith(this.location + sep)) throw new Error(`cell store key "${key}" escapes ${this.location}`);
    return p;
  }

  async put(key: string, localPath: string): Promise<void> {
    const dest = this.pathOf(key);
    const from = resolve(localPath);
    if (from === dest) return;
    mkdirSync(dirname(dest), { recursive: true });
    // A scratch file of this store is on the same file system: moved in by one rename (no copy, still atomic).
    if (from.startsWith(this.location + sep) && basename(from).endsWith('.partial')) {
      renameSync(from, dest);
      return;
    }
    const tmp = `${dest}.tmp-${process.pid}-${Date.now()}`;
    try {
      copyFileSync(localPath, tmp);
      renameSync(tmp, dest);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  async get(key: string): Promise<string> {
    const p = this.pathOf(key);
    if (!existsSync(p))
      throw new UserError(
        `cell store ${this.location}: no object "${key}" (was the upstream cell run, and is the store shared by every worker?)`,
      );
    return p;
  }

  async has(key: string): Promise<boolean> {
    try {
      return statSync(this.pathOf(key)).isFile();
    } catch {
      return false;
    }
  }

  scratchPath(key: string): string {
    const p = this.pathOf(key);
    mkdirSync(dirname(p), { recursive: true });
    return join(dirname(p), `.${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.partial`);
  }
}
