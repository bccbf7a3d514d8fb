/**
 * HDBSCAN core distances: the distance from each point to its k-th nearest neighbour, the point itself counted as
 * the first (scikit-learn's convention; the Python `hdbscan` library's `min_samples=m` equals k = m + 1 here).
 *
 * Two exact kNN engines: a kd-tree for low dimensions, and for high dimensions a symmetric blocked brute force:
 * each pair of 64-row tiles (I <= J) is computed once with the register-blocked kernel of ../distance-kernels.ts and
 * feeds the heaps of both tiles, so n²/2 distances in all and O(n·k) memory, never an n x n matrix. Work is claimed
 * with Atomics (query chunks, or tile rows I) by the calling thread plus (threads - 1) worker_threads sharing the
 * points and the tree through SharedArrayBuffer; brute-force threads keep private heaps, merged at the end.
 */
import { Worker } from 'node:worker_threads';
import { rowSqNorms, sqDistRow, sqDistTwoRows } from '../kernels/distance-kernels.js';
import { simdAvailable } from '../kernels/dot-engine.js';
import { means, packPoints, type PackedPoints } from '../kernels/packed-points.js';
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
  /** brute with the SIMD tiles: the column means every thread centres its packed copy on (so all agree). */
  shift?: Float64Array;
  /** n heaps of k (squared distance, neighbour) entries; neighbour ids are in the same space as `data`. */
  outD2: Float64Array;
  outIdx: Int32Array;
  /** brute: private heaps of helper thread t at [t - 1] (thread 0 uses outD2/outIdx). */
  helperD2: Float64Array[];
  helperIdx: Int32Array[];
  /** [0]: next query chunk (kdtree) or tile row (brute) to claim. */
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

const TILE = 64;

function kdRange(job: KnnJob, s: number, e: number, knn: KdKnn): void {
  for (let q = s; q < e; q++) knn.query(q, job.outD2, job.outIdx, q * job.k);
}

/** Tile row I of the symmetric brute force: tiles (I, J) for J >= I, into the heaps hd/hi. */
function bruteTileRow(
  job: KnnJob,
  I: number,
  hd: Float64Array,
  hi: Int32Array,
  tile: Float64Array,
  buf0: Float64Array,
  buf1: Float64Array,
  P?: PackedPoints,
): void {
  const { n, d, k, data } = job;
  const norms = P ? P.norms : job.norms!;
  const is = I * TILE,
    ie = Math.min(n, is + TILE);
  for (let js = is; js < n; js += TILE) {
    const je = Math.min(n, js + TILE);
    const w = je - js;
    if (P) {
      // One SIMD dot tile; squared distances from the centred norms.
      const { out, at, stride } = P.engine.dots(P.block, is, ie - is, P.block, js, w);
      for (let i = is; i < ie; i++) {
        const ni = norms[i],
          o = at + (i - is) * stride - js,
          t = (i - is) * TILE - js;
        for (let j = js; j < je; j++) {
          const v = ni + norms[j] - 2 * out[o + j];
          tile[t + j] = v > 0 ? v : 0;
        }
      }
    } else
      for (let r0 = is; r0 < ie; r0 += 2) {
        const r1 = r0 + 1 < ie ? r0 + 1 : r0;
        sqDistTwoRows(data, norms, r0, r1, data, norms, js, je, d, buf0, buf1);
        tile.set(buf0.subarray(0, w), (r0 - is) * TILE);
        if (r1 !== r0) tile.set(buf1.subarray(0, w), (r1 - is) * TILE);
      }
    for (let i = is; i < ie; i++) {
      const o = i * k;
      const row = (i - is) * TILE;
      for (let j = js; j < je; j++) {
        const v = j === i ? 0 : tile[row + j - js];
        if (v < hd[o]) heapReplaceTop(hd, hi, o, k, v, j);
      }
    }
    if (js === is) continue;
    for (let j = js; j < je; j++) {
      const o = j * k;
      const col = j - js;
      for (let i = is; i < ie; i++) {
        const v = tile[(i - is) * TILE + col];
        if (v < hd[o]) heapReplaceTop(hd, hi, o, k, v, i);
      }
    }
  }
}

/** Claim work until none is left. Runs on the calling thread (part 0) and inside each helper worker. */
export function runKnnJob(job: KnnJob, part: number): void {
  if (job.mode === 'kdtree') {
    const knn = new KdKnn(job.tree!, job.k);
    for (;;) {
      const s = Atomics.add(job.next, 0, job.chunk);
      if (s >= job.n) return;
      kdRange(job, s, Math.min(job.n, s + job.chunk), knn);
    }
  }
  const hd = part === 0 ? job.outD2 : job.helperD2[part - 1];
  const hi = part === 0 ? job.outIdx : job.helperIdx[part - 1];
  hd.fill(Infinity);
  hi.fill(-1);
  const tile = new Float64Array(TILE * TILE);
  const buf0 = new Float64Array(TILE);
  const buf1 = new Float64Array(TILE);
  const tiles = Math.ceil(job.n / TILE);
  const P = job.shift ? packPoints(job.data, job.n, job.d, undefined, false, job.shift) : undefined;
  for (;;) {
    const I = Atomics.add(job.next, 0, 1);
    if (I >= tiles) return;
    bruteTileRow(job, I, hd, hi, tile, buf0, buf1, P);
  }
}

/** Fold the helpers' private heaps into the output heaps. */
function mergeHelperHeaps(job: KnnJob): void {
  const { n, k, outD2, outIdx } = job;
  for (let t = 0; t < job.helperD2.length; t++) {
    const hd = job.helperD2[t],
      hi = job.helperIdx[t];
    for (let i = 0, o = 0; i < n; i++, o += k) {
      for (let j = o; j < o + k; j++) if (hd[j] < outD2[o]) heapReplaceTop(outD2, outIdx, o, k, hd[j], hi[j]);
    }
  }
}

/** Run a job on this thread plus (threads - 1) helper workers; resolves when every query is done. */
async function runShared(job: KnnJob, threads: number): Promise<number> {
  if (threads <= 1) {
    runKnnJob(job, 0);
    return 1;
  }
  const url = new URL('./knn-worker.js', import.meta.url);
  const workers = Array.from({ length: threads - 1 }, (_, i) => new Worker(url, { workerData: { job, part: i + 1 } }));
  const done = workers.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
        w.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`kNN helper thread exited with code ${code}`)),
        );
      }),
  );
  try {
    runKnnJob(job, 0);
    await Promise.all(done);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (job.mode === 'brute') mergeHelperHeaps(job);
  return threads;
}

/** Options for the kNN pass. */
export interface KnnOptions {
  algorithm: 'kdtree' | 'brute';
  threads: number;
  leafSize?: number;
}

/** Exact k nearest neighbours (the point itself included) of every row of an n x d Float32Array. */
export async function computeKnn(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  opts: KnnOptions,
): Promise<KnnResult> {
  if (k < 1 || k > n) throw new Error(`kNN: k must be in 1..${n}, got ${k}`);
  let job: KnnJob;
  let tree: KdTree | undefined;
  if (opts.algorithm === 'kdtree') {
    tree = buildKdTree(x, n, d, opts.leafSize ?? 16);
    job = {
      mode: 'kdtree',
      n,
      d,
      k,
      data: tree.data,
      tree,
      outD2: sharedFloat64(n * k),
      outIdx: sharedInt32(n * k),
      helperD2: [],
      helperIdx: [],
      next: sharedInt32(1),
      chunk: 512,
    };
  } else {
    const data = sharedFloat32(n * d);
    data.set(x.subarray(0, n * d));
    const norms = sharedFloat64(n);
    norms.set(rowSqNorms(data, n, d));
    job = {
      mode: 'brute',
      n,
      d,
      k,
      data,
      norms,
      outD2: sharedFloat64(n * k),
      outIdx: sharedInt32(n * k),
      helperD2: [],
      helperIdx: [],
      next: sharedInt32(1),
      chunk: TILE,
    };
    if (simdAvailable()) {
      job.shift = sharedFloat64(d);
      job.shift.set(means(data, n, d));
    }
  }
  // Helper threads cost ~50 ms to start; below this much work one thread is faster.
  const work = opts.algorithm === 'kdtree' ? n * 64 : n * n * d;
  const threads = work >= 2e6 && opts.threads > 1 ? Math.min(opts.threads, Math.ceil(n / job.chunk)) : 1;
  for (let t = 1; t < threads && job.mode === 'brute'; t++) {
    job.helperD2.push(sharedFloat64(n * k));
    job.helperIdx.push(sharedInt32(n * k));
  }
  const used = await runShared(job, threads);
  const coreSq = new Float64Array(n);
  if (job.shift) {
    // The SIMD tiles chose the neighbours; their distances are re-measured exactly (float64, direct form).
    for (let i = 0, o = 0; i < n; i++, o += k) {
      let m = 0;
      for (let j = o; j < o + k; j++) {
        const v = job.outIdx[j] === i ? 0 : sqDistRow(job.data, i, job.data, job.outIdx[j], d);
        job.outD2[j] = v;
        if (v > m) m = v;
      }
      coreSq[i] = m;
    }
  } else for (let i = 0; i < n; i++) coreSq[i] = job.outD2[i * k];
  return {
    space: tree ? 'tree' : 'input',
    tree,
    data: job.data,
    k,
    knnD2: job.outD2,
    knnIdx: job.outIdx,
    coreSq,
    threads: used,
  };
}
