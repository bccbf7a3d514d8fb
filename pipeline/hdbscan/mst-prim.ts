/**
 * Prim's MST over mutual reachability in O(n) memory: the high-dimensional HDBSCAN path, where trees stop pruning.
 *
 * Each step adds the closest outside point and updates every remaining point's best edge from it: n²/2 distance
 * evaluations in all, never an n x n matrix. The points are split between threads; each thread keeps its share
 * compacted in a private copy (so a step streams contiguous rows) and, per step, updates its share and reports its
 * local minimum; after one barrier every thread picks the same winner and reads its row from the shared input (the
 * minima are double-buffered by step parity, so a fast thread never overwrites what a slow one still reads; one
 * barrier per step, on SharedArrayBuffer with Atomics.wait). A distance is skipped when
 * max(core(v), core(r)) already reaches r's best edge. Distances are ||a||² + ||b||² - 2a·b in float64, as in the
 * brute-force kNN pass, with four rows per pass sharing each load of the new point.
 */
import { rowSqNorms, sqDistRow } from '../kernels/distance-kernels.js';
import { DotEngine, simdAvailable } from '../kernels/dot-engine.js';
import { means } from '../kernels/packed-points.js';
import { startReadyWorkers } from './helper-threads.js';
import type { SpanningTree } from './mst.js';
import { sharedFloat32, sharedFloat64, sharedInt32 } from './shared-arrays.js';

/** State shared by the threads of one Prim run. */
export interface PrimJob {
  n: number;
  d: number;
  threads: number;
  /** Points in input order and their squared core distances. */
  data: Float32Array;
  coreSq: Float64Array;
  /** Squared norm of each point (of the centred point when shift is set). */
  norms: Float64Array;
  /** SIMD path: column means; each thread packs its share centred on them. */
  shift?: Float64Array;
  /** Each thread's local minimum (value, point id, tree neighbour) at [parity * threads + thread]. */
  slotVal: Float64Array;
  slotId: Int32Array;
  slotFrom: Int32Array;
  /** Barrier: [arrived, generation]. */
  barrier: Int32Array;
  from: Int32Array;
  to: Int32Array;
  weight: Float64Array;
}

function wait(b: Int32Array, parties: number): void {
  const gen = Atomics.load(b, 1);
  if (Atomics.add(b, 0, 1) === parties - 1) {
    Atomics.store(b, 0, 0);
    Atomics.add(b, 1, 1);
    Atomics.notify(b, 1);
  } else {
    while (Atomics.load(b, 1) === gen) Atomics.wait(b, 1, gen);
  }
}

/** Pick the step's winner from the threads' slots (smallest value, then smallest id); write the edge on part 0. */
function winnerSlot(job: PrimJob, e: number, part: number): number {
  const { threads, slotVal, slotId, slotFrom } = job;
  const base = (e & 1) * threads;
  let w = -1;
  for (let t = base; t < base + threads; t++) {
    if (slotId[t] < 0) continue;
    if (w < 0 || slotVal[t] < slotVal[w] || (slotVal[t] === slotVal[w] && slotId[t] < slotId[w])) w = t;
  }
  if (w < 0) throw new Error('Prim: no point left to add; the input has fewer points than expected');
  if (part === 0) {
    job.from[e] = slotFrom[w];
    job.to[e] = slotId[w];
    job.weight[e] = Math.sqrt(slotVal[w]);
  }
  return w;
}

/**
 * runPrimPart on the SIMD kernel: the share lives in a DotEngine (rows centred on job.shift, norms, core, best and
 * from arrays in its memory) and each step is one prim_update call over the remaining rows.
 */
function runPrimPartSimd(job: PrimJob, part: number): void {
  const { n, d, threads, data, coreSq, norms, slotVal, slotId, slotFrom, barrier } = job;
  const shift = job.shift!;
  const lo = Math.floor((part * n) / threads);
  const hi = Math.floor(((part + 1) * n) / threads);
  let m = hi - lo;
  const e8 = new DotEngine(d);
  const work = e8.load(data, m, null, lo, shift);
  const vb = e8.block(1);
  const normAt = e8.alloc(8 * m),
    coreAt = e8.alloc(8 * m),
    bestAt = e8.alloc(8 * m),
    fromAt = e8.alloc(4 * m);
  e8.alloc(1 << 16); // room for any scratch, so the views below stay valid (no growth after this point)
  const buf = e8.floats().buffer;
  const norm = new Float64Array(buf, normAt, m),
    core = new Float64Array(buf, coreAt, m),
    best = new Float64Array(buf, bestAt, m);
  const bestFrom = new Int32Array(buf, fromAt, m);
  const id = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    norm[i] = norms[lo + i];
    core[i] = coreSq[lo + i];
    id[i] = lo + i;
  }
  best.fill(Infinity);
  bestFrom.fill(-1);
  const len = e8.len;
  const retire = (pos: number): void => {
    const last = m - 1;
    if (pos !== last) {
      const f = e8.floats();
      f.copyWithin(work.ptr / 4 + pos * len, work.ptr / 4 + last * len, work.ptr / 4 + last * len + len);
      norm[pos] = norm[last];
      core[pos] = core[last];
      id[pos] = id[last];
      best[pos] = best[last];
      bestFrom[pos] = bestFrom[last];
    }
    m--;
  };
  let vId = 0;
  if (part === 0) retire(0);
  for (let e = 0; e < n - 1; e++) {
    e8.fill(vb, data, 1, null, vId, shift);
    const minPos = e8.primUpdate(vb, 0, work, m, normAt, coreAt, bestAt, fromAt, norms[vId], coreSq[vId], vId);
    const base = (e & 1) * threads;
    slotVal[base + part] = minPos >= 0 ? best[minPos] : Infinity;
    slotId[base + part] = minPos >= 0 ? id[minPos] : -1;
    slotFrom[base + part] = minPos >= 0 ? bestFrom[minPos] : -1;
    wait(barrier, threads);
    const w = winnerSlot(job, e, part);
    if (w - base === part) retire(minPos);
    vId = slotId[w];
  }
}

/** The share of thread `part`: rows [lo, hi). Runs on the calling thread (part 0) and in each helper. */
export function runPrimPart(job: PrimJob, part: number): void {
  if (job.shift) return runPrimPartSimd(job, part);
  const { n, d, threads, data, coreSq, norms, slotVal, slotId, slotFrom, barrier } = job;
  const lo = Math.floor((part * n) / threads);
  const hi = Math.floor(((part + 1) * n) / threads);
  let m = hi - lo;
  const work = new Float32Array(data.subarray(lo * d, hi * d));
  const norm = new Float64Array(m);
  const core = new Float64Array(m);
  const id = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    norm[i] = norms[lo + i];
    core[i] = coreSq[lo + i];
    id[i] = lo + i;
  }
  const best = new Float64Array(m).fill(Infinity);
  const bestFrom = new Int32Array(m).fill(-1);
  const v = new Float32Array(d);
  const retire = (pos: number): void => {
    const last = m - 1;
    if (pos !== last) {
      work.copyWithin(pos * d, last * d, last * d + d);
      norm[pos] = norm[last];
      core[pos] = core[last];
      id[pos] = id[last];
      best[pos] = best[last];
      bestFrom[pos] = bestFrom[last];
    }
    m--;
  };
  // Point 0 starts the tree; part 0 owns it.
  v.set(data.subarray(0, d));
  let vNorm = norms[0];
  let vCore = coreSq[0];
  let vId = 0;
  if (part === 0) retire(0);
  for (let e = 0; e < n - 1; e++) {
    let minVal = Infinity;
    let minPos = -1;
    let pos = 0;
    for (; pos + 3 < m; pos += 4) {
      const c0 = core[pos],
        c1 = core[pos + 1],
        c2 = core[pos + 2],
        c3 = core[pos + 3];
      const l0 = vCore > c0 ? vCore : c0,
        l1 = vCore > c1 ? vCore : c1,
        l2 = vCore > c2 ? vCore : c2,
        l3 = vCore > c3 ? vCore : c3;
      if (best[pos] > l0 || best[pos + 1] > l1 || best[pos + 2] > l2 || best[pos + 3] > l3) {
        const o0 = pos * d,
          o1 = o0 + d,
          o2 = o1 + d,
          o3 = o2 + d;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let j = 0; j < d; j++) {
          const x = v[j];
          s0 += x * work[o0 + j];
          s1 += x * work[o1 + j];
          s2 += x * work[o2 + j];
          s3 += x * work[o3 + j];
        }
        let q = vNorm + norm[pos] - 2 * s0;
        if (q < l0) q = l0;
        if (q < best[pos]) {
          best[pos] = q;
          bestFrom[pos] = vId;
        }
        q = vNorm + norm[pos + 1] - 2 * s1;
        if (q < l1) q = l1;
        if (q < best[pos + 1]) {
          best[pos + 1] = q;
          bestFrom[pos + 1] = vId;
        }
        q = vNorm + norm[pos + 2] - 2 * s2;
        if (q < l2) q = l2;
        if (q < best[pos + 2]) {
          best[pos + 2] = q;
          bestFrom[pos + 2] = vId;
        }
        q = vNorm + norm[pos + 3] - 2 * s3;
        if (q < l3) q = l3;
        if (q < best[pos + 3]) {
          best[pos + 3] = q;
          bestFrom[pos + 3] = vId;
        }
      }
      for (let u = pos; u < pos + 4; u++)
        if (best[u] < minVal) {
          minVal = best[u];
          minPos = u;
        }
    }
    for (; pos < m; pos++) {
      const cr = core[pos];
      const lb = vCore > cr ? vCore : cr;
      if (best[pos] > lb) {
        const o = pos * d;
        let s = 0;
        for (let j = 0; j < d; j++) s += v[j] * work[o + j];
        let q = vNorm + norm[pos] - 2 * s;
        if (q < lb) q = lb;
        if (q < best[pos]) {
          best[pos] = q;
          bestFrom[pos] = vId;
        }
      }
      if (best[pos] < minVal) {
        minVal = best[pos];
        minPos = pos;
      }
    }
    const base = (e & 1) * threads;
    slotVal[base + part] = minVal;
    slotId[base + part] = minPos >= 0 ? id[minPos] : -1;
    slotFrom[base + part] = minPos >= 0 ? bestFrom[minPos] : -1;
    wait(barrier, threads);
    let w = -1;
    for (let t = base; t < base + threads; t++) {
      if (slotId[t] < 0) continue;
      if (w < 0 || slotVal[t] < slotVal[w] || (slotVal[t] === slotVal[w] && slotId[t] < slotId[w])) w = t;
    }
    if (w < 0) throw new Error('Prim: no point left to add; the input has fewer points than expected');
    const winner = slotId[w];
    if (part === 0) {
      job.from[e] = slotFrom[w];
      job.to[e] = winner;
      job.weight[e] = Math.sqrt(slotVal[w]);
    }
    if (w - base === part) retire(minPos);
    v.set(data.subarray(winner * d, winner * d + d));
    vNorm = norms[winner];
    vCore = coreSq[winner];
    vId = winner;
  }
}

/** MST of the mutual-reachability graph of n x d points (input order) given squared core distances. */
export async function primMst(
  x: Float32Array,
  n: number,
  d: number,
  coreSq: Float64Array,
  threads = 1,
): Promise<SpanningTree & { threads: number }> {
  const m1 = Math.max(0, n - 1);
  const parties = Math.max(1, Math.min(threads, 8, n));
  const data = parties > 1 ? sharedFloat32(n * d) : x.subarray(0, n * d);
  if (parties > 1) data.set(x.subarray(0, n * d));
  const core = parties > 1 ? sharedFloat64(n) : coreSq;
  if (parties > 1) core.set(coreSq.subarray(0, n));
  const norms = parties > 1 ? sharedFloat64(n) : new Float64Array(n);
  let shift: Float64Array | undefined;
  if (simdAvailable()) {
    shift = parties > 1 ? sharedFloat64(d) : new Float64Array(d);
    shift.set(means(data, n, d));
    // Norms of the centred rows as the engines store them (float32), so every thread's distances agree.
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0, o = i * d; j < d; j++) {
        const v = Math.fround(data[o + j] - shift[j]);
        s += v * v;
      }
      norms[i] = s;
    }
  } else norms.set(rowSqNorms(data, n, d));
  const job: PrimJob = {
    n,
    d,
    threads: parties,
    data,
    coreSq: core,
    norms,
    slotVal: sharedFloat64(2 * parties),
    slotId: sharedInt32(2 * parties),
    slotFrom: sharedInt32(2 * parties),
    barrier: sharedInt32(2),
    from: sharedInt32(m1),
    to: sharedInt32(m1),
    weight: sharedFloat64(m1),
    shift,
  };
  if (n >= 2) {
    if (parties === 1) runPrimPart(job, 0);
    else {
      const workers = await startReadyWorkers(
        new URL('./prim-worker.js', import.meta.url),
        Array.from({ length: parties - 1 }, (_, i) => ({ job, part: i + 1 })),
      );
      try {
        runPrimPart(job, 0);
      } finally {
        await Promise.all(workers.map((w) => w.terminate()));
      }
    }
  }
  const weight = job.weight.slice();
  if (shift) {
    // The SIMD steps chose the edges; their weights are re-measured exactly (float64, direct form).
    for (let e = 0; e < m1; e++) {
      const a = job.from[e],
        b = job.to[e];
      weight[e] = Math.sqrt(Math.max(coreSq[a], coreSq[b], sqDistRow(data, a, data, b, d)));
    }
  }
  return { from: job.from.slice(), to: job.to.slice(), weight, threads: parties };
}
