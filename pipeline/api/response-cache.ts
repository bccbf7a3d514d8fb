/**
 * Disk caches for API answers, keyed by a SHA-256 of everything that determines the answer (model, prompt,
 * messages, parameters). They double as checkpoints: each answer is appended the moment it arrives, so an
 * interrupted stage resumes where it stopped and a re-run makes no requests.
 *
 * Append-only files rather than atomic rewrites, on purpose: rewriting the whole cache per item would be O(n²).
 * A crash can only leave a torn last record, which the readers skip.
 *   - TextCache: JSON lines {"k": hex, "v": text}.
 *   - VectorCache: an 8-byte header ("CBV1", uint32 dims), then fixed-size records [32-byte digest][dims x float32 LE].
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** SHA-256 of a JSON-serialisable key. */
export function cacheKey(parts: unknown): Buffer {
  return createHash('sha256').update(JSON.stringify(parts)).digest();
}

/** A file name fragment safe on every OS, from a model name. */
export function safeFileName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Text answers (LLM summaries) by key. */
export class TextCache {
  private readonly map = new Map<string, string>();
  private fd: number | undefined;

  constructor(readonly path: string) {
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const { k, v } = JSON.parse(line) as { k: string; v: string };
          if (typeof k === 'string' && typeof v === 'string') this.map.set(k, v);
        } catch {
          // A torn last line from an interrupted run: skip it.
        }
      }
    }
  }

  get size(): number {
    return this.map.size;
  }

  get(key: Buffer): string | undefined {
    return this.map.get(key.toString('hex'));
  }

  /** Store and append to disk now. */
  put(key: Buffer, value: string): void {
    const k = key.toString('hex');
    this.map.set(k, value);
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    }
    writeSync(this.fd, `${JSON.stringify({ k, v: value })}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Embedding vectors by key, all of one dimension (fixed by the first vector stored, kept in the file header). */
export class VectorCache {
  private readonly map = new Map<string, Float32Array>();
  private fd: number | undefined;
  private dimsKnown: number | undefined;

  constructor(readonly path: string) {
    if (!existsSync(path)) return;
    const buf = readFileSync(path);
    if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC)
      throw new Error(`${path}: not a clusterbench vector cache (delete it to rebuild)`);
    const dims = buf.readUInt32LE(4);
    this.dimsKnown = dims;
    const rec = 32 + 4 * dims;
    const whole = Math.floor((buf.length - 8) / rec); // a torn tail record is ignored
    for (let r = 0; r < whole; r++) {
      const off = 8 + r * rec;
      const v = new Float32Array(dims);
      new Uint8Array(v.buffer).set(buf.subarray(off + 32, off + rec));
      this.map.set(buf.subarray(off, off + 32).toString('hex'), v);
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** Dimension of the stored vectors (undefined while empty). */
  get dims(): number | undefined {
    return this.dimsKnown;
  }

  get(key: Buffer): Float32Array | undefined {
    return this.map.get(key.toString('hex'));
  }

  put(key: Buffer, v: Float32Array): void {
    if (this.dimsKnown !== undefined && v.length !== this.dimsKnown)
      throw new Error(`${this.path}: vector has ${v.length} dims, the cache holds ${this.dimsKnown}`);
    this.map.set(key.toString('hex'), v);
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      const fresh = this.dimsKnown === undefined;
      this.fd = openSync(this.path, 'a');
      if (fresh) {
        const head = Buffer.alloc(8);
        head.write(MAGIC, 0, 'latin1');
        head.writeUInt32LE(v.length, 4);
        writeSync(this.fd, head);
      }
      this.dimsKnown = v.length;
    }
    const rec = Buffer.allocUnsafe(32 + 4 * v.length);
    key.copy(rec, 0, 0, 32);
    Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(rec, 32);
    writeSync(this.fd, rec);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

const MAGIC = 'CBV1';
