/**
 * The S3-compatible backend of the cell store (`--store s3://bucket/prefix`): AWS S3, MinIO, Ceph RGW, s3rver.
 * put = one PutObject (S3 makes a whole object visible at once, so readers never see half of it); get = GetObject
 * into a local cache directory (a worker reads each input once, however many cells use it); has = HeadObject.
 * Credentials and region come from the standard AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, AWS_REGION, profiles) through the SDK's default chain; an endpoint for a non-AWS server comes
 * from `--s3-endpoint` or CLUSTERBENCH_S3_ENDPOINT and uses path-style addressing (http://host:port/bucket/key).
 * `location` is `s3://bucket/prefix` (what `--store` takes back; the endpoint is given again): never a key or secret.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { CellStore } from './cell-store.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Where an S3 store is and how to reach it. */
export interface S3StoreOptions {
  /** Endpoint URL of an S3-compatible server, e.g. http://127.0.0.1:9000; absent: AWS itself. */
  endpoint?: string;
  /** Local directory for downloaded objects and scratch files (default: the OS temp dir). */
  cacheDir?: string;
}

/** Parse `s3://bucket/prefix` into its bucket and key prefix (no leading or trailing slash). */
export function parseS3Url(spec: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(spec);
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[1])) {
    throw new UserError(
      `--store ${spec}: expected s3://BUCKET/PREFIX with a bucket name of 3-63 lower-case letters, digits, dots or dashes`,
    );
  }
  return { bucket: m[1], prefix: m[2].replace(/^\/+|\/+$/g, '') };
}

const notFound = (err: unknown): boolean =>
  err instanceof S3ServiceException &&
  (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404);

/** A cell store in an S3 bucket under a key prefix. */
export class S3CellStore implements CellStore {
  readonly location: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly cache: string;

  constructor(spec: string, o: S3StoreOptions = {}) {
    const { bucket, prefix } = parseS3Url(spec);
    this.bucket = bucket;
    this.prefix = prefix;
    const endpoint = o.endpoint ?? process.env.CLUSTERBENCH_S3_ENDPOINT;
    if (endpoint) {
      let u: URL;
      try {
        u = new URL(endpoint);
      } catch {
        throw new UserError(`--s3-endpoint ${endpoint}: not a URL; expected e.g. http://127.0.0.1:9000`);
      }
      if (u.username || u.password)
        throw new UserError(
          '--s3-endpoint: put credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, not in the URL',
        );
    }
    this.location = `s3://${bucket}/${prefix}`;
    this.client = new S3Client({
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      // Checksums only where the API requires them: MinIO-compatible servers reject the newer default trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const root = o.cacheDir ?? join(tmpdir(), `clusterbench-s3-${process.pid}`);
    this.cache = resolve(root, bucket, prefix);
    mkdirSync(this.cache, { recursive: true });
    // The default cache is this process's own: downloads are not kept past it (the bucket holds the objects).
    if (o.cacheDir === undefined) process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }

  private objectKey(key: string): string {
    if (key.startsWith('/') || key.split('/').some((p) => p === '..' || p === ''))
      throw new Error(`cell store key "${key}" is not a relative path`);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  private cachePath(key: string): string {
    const p = resolve(this.cache, key);
    if (!p.startsWith(this.cache + sep)) throw new Error(`cell store key "${key}" escapes ${this.cache}`);
    return p;
  }

  async put(key: string, localPath: string): Promise<void> {
    // A Buffer body has a known length: a plain signed PUT, no aws-chunked streaming that older servers refuse.
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: readFileSync(localPath) }),
    );
  }

  async get(key: string): Promise<string> {
    const p = this.cachePath(key);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* not cached yet */
    }
    let bytes: Uint8Array;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      bytes = await out.Body!.transformToByteArray();
    } catch (err) {
      if (notFound(err))
        throw new UserError(
          `cell store ${this.location}: no object "${key}" (was the upstream cell run, and do all workers use this bucket and prefix?)`,
        );
      throw new Error(
        `cell store ${this.location}: reading "${key}" failed: ${(err as Error).name}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    mkdirSync(dirname(p), { recursive: true });
    const tmp = `${p}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      writeFileSync(tmp, bytes);
      renameSync(tmp, p);
    } finally {
      rmSync(tmp, { force: true });
    }
    return p;
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw new Error(
        `cell store ${this.location}: checking "${key}" failed: ${(err as Error).name}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  scratchPath(key: string): string {
    const p = this.cachePath(key);
    mkdirSync(dirname(p), { recursive: true });
    return join(dirname(p), `.${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.partial`);
  }
}
