/**
 * HDBSCAN core distances: the distance from each point to its k-th nearest neighbour, the point itself counted as
 * the first (scikit-learn's convention; the Python `hdbscan` library's `min_samples=m` equals k = m + 1 here).
 *
 * Two exact kNN engines: a kd-tree for low dimensions, and for high dimensions a blocked brute force over tiles of
 * 64 queries x 256 references with the register-blocked kernel of ../distance-kernels.ts (O(n) memory, never an
 * n x n matrix). Work is split into chunks of queries claimed with Atomics, by the calling thread plus
 * (threads - 1) worker_threads that share the points, the tree and the output heaps through SharedArrayBuffer.
 */
import { Worker } from 'node:worker_threads';
import { rowSqNorms, sqDistTwoRows } from '../distance-kernels.js';
import { buildKdTree, KdKnn, type KdTree } from './kd-tree.js';
import { heapReplaceTop } from './knn-heap.js';
import { sharedFloat32, sharedFloat64, sharedInt32 } from './shared-arrays.js';

/** One kNN pass, shared between threads (every array is on SharedArrayBuffer). */
export interface KnnJob {
  mode: 'kdtree' | 'brute';
  n: number;
  d: number;
  k: number;
  /** kdtree: points in tree order (tree.data); brute: points in input order. */
  data: Float32Array;
  tree?: KdTree;
  /** brute: squared norm of each row. */
  norms?: Float64Array;
  /** n heaps of k (squared distance, neighbour) entries; neighbour ids are in the same space as `data`. */
  outD2: Float64Array;
  outIdx: Int32Array;
  /** [0]: next query to claim. */
  next: Int32Array;
  chunk: number;
}

/** kNN of every point, with the space its indices live in. */
export interface KnnResult {
  /** "tree": indices are kd-tree positions (tree.perm maps them to rows); "input": row indices. */
  space: 'tree' | 'input';
  tree?: KdTree;
  /** The points in that space (shared). */
  data: Float32Array;
  k: number;
  knnD2: Float64Array;
  knnIdx: Int32Array;
  /** Squared core distance of each point, in the same space. */
  coreSq: Float64Array;
  /** Threads that took part. */
  threads: number;
}

const Q_TILE = 64;
const R_TILE = 256;

function kdRange(job: KnnJob, s: number, e: number, knn: KdKnn): void {
  for (let q = s; q < e; q++) knn.query(q, job.outD2, job.outIdx, q * job.k);
}

function bruteRange(job: KnnJob, s: number, e: number, buf0: Float64Array, buf1: Float64Array): void {
  const { n, d, k, data, outD2, outIdx } = job;
  const norms = job.norms!;
  outD2.fill(Infinity, s * k, e * k);
  outIdx.fill(-1, s * k, e * k);
  for (let js = 0; js < n; js += R_TILE) {
    const je = Math.min(n, js + R_TILE);
    for (let r0 = s; r0 < e; r0 += 2) {
      const r1 = r0 + 1 < e ? r0 + 1 : r0;
      sqDistTwoRows(data, norms, r0, r1, data, norms, js, je, d, buf0, buf1);
      const o0 = r0 * k, o1 = r1 * k;
      for (let j = js; j < je; j++) {
        const v0 = j === r0 ? 0 : buf0[j - js];
        if (v0 < outD2[o0]) heapReplaceTop(outD2, outIdx, o0, k, v0, j);
        if (r1 !== r0) {
          const v1 = j === r1 ? 0 : buf1[j - js];
          if (v1 < outD2[o1]) heapReplaceTop(outD2, outIdx, o1, k, v1, j);
        }
      }
    }
  }
}

/** Claim chunks of queries until none are left. Runs on the calling thread and inside each helper worker. */
export function runKnnJob(job: KnnJob): void {
  const knn = job.mode === 'kdtree' ? new KdKnn(job.tree!, job.k) : undefined;
  const buf0 = new Float64Array(R_TILE);
  const buf1 = new Float64Array(R_TILE);
  for (;;) {
    const s = Atomics.add(job.next, 0, job.chunk);
    if (s >= job.n) return;
    const e = Math.min(job.n, s + job.chunk);
    if (knn) kdRange(job, s, e, knn);
    else bruteRange(job, s, e, buf0, buf1);
  }
}

/** Run a job on this thread plus (threads - 1) helper workers; resolves when every query is done. */
async function runShared(job: KnnJob, threads: number): Promise<number> {
  if (threads <= 1) {
    runKnnJob(job);
    return 1;
  }
  const url = new URL('./knn-worker.js', import.meta.url);
  const workers = Array.from({ length: threads - 1 }, () => new Worker(url, { workerData: job }));
  const done = workers.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
        w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kNN helper thread exited with code ${code}`))));
      }),
  );
  try {
    runKnnJob(job);
    await Promise.all(done);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return threads;
}

/** Options for the kNN pass. */
export interface KnnOptions {
  algorithm: 'kdtree' | 'brute';
  threads: number;
  leafSize?: number;
}

/** Exact k nearest neighbours (the point itself included) of every row of an n x d Float32Array. */
export async function computeKnn(x: Float32Array, n: number, d: number, k: number, opts: KnnOptions): Promise<KnnResult> {
  if (k < 1 || k > n) throw new Error(`kNN: k must be in 1..${n}, got ${k}`);
  let job: KnnJob;
  let tree: KdTree | undefined;
  if (opts.algorithm === 'kdtree') {
    tree = buildKdTree(x, n, d, opts.leafSize ?? 16);
    job = { mode: 'kdtree', n, d, k, data: tree.data, tree, outD2: sharedFloat64(n * k), outIdx: sharedInt32(n * k), next: sharedInt32(1), chunk: 512 };
  } else {
    const data = sharedFloat32(n * d);
    data.set(x);
    const norms = sharedFloat64(n);
    norms.set(rowSqNorms(data, n, d));
    job = { mode: 'brute', n, d, k, data, norms, outD2: sharedFloat64(n * k), outIdx: sharedInt32(n * k), next: sharedInt32(1), chunk: Q_TILE };
  }
  // Helper threads cost ~50 ms to start; below this much work one thread is faster.
  const work = opts.algorithm === 'kdtree' ? n * 64 : n * n * d;
  const threads = work >= 2e6 && opts.threads > 1 ? Math.min(opts.threads, Math.ceil(n / job.chunk)) : 1;
  const used = await runShared(job, threads);
  const coreSq = new Float64Array(n);
  for (let i = 0; i < n; i++) coreSq[i] = job.outD2[i * k];
  return { space: tree ? 'tree' : 'input', tree, data: job.data, k, knnD2: job.outD2, knnIdx: job.outIdx, coreSq, threads: used };
}
