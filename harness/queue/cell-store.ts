/**
 * Where cell inputs and outputs live while a sweep runs on several machines: every worker and the coordinator must be
 * able to read and write it. A key is a relative path such as `<sweepId>/n1000/s1-embed.arrow`.
 *
 * Shipped backend: a directory (local disk for one machine, NFS or any shared mount for several). An S3-compatible
 * store fits the same interface (put = PutObject from a local file, get = GetObject into the worker's cache dir,
 * has = HeadObject); it is not shipped because no S3-compatible server installs offline here to test it against.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

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
    if (!existsSync(p)) throw new Error(`cell store ${this.location}: no object "${key}" (was the upstream cell run, and is the store shared by every worker?)`);
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

/** Open the store named by `--store`: a directory path (the only backend shipped). */
export function openCellStore(spec: string): CellStore {
  if (/^s3:\/\//i.test(spec)) throw new Error(`--store ${spec}: the S3 backend is not shipped; mount the bucket (e.g. s3fs) and pass the directory`);
  return new DirectoryCellStore(spec);
}
