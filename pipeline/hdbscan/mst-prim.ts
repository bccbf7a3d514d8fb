/**
 * Prim's MST over mutual reachability in O(n) memory: the high-dimensional HDBSCAN path, where trees stop pruning.
 *
 * Each step adds the closest outside point and updates every remaining point's best edge from it: n²/2 distance
 * evaluations in all, never an n x n matrix. Remaining points are kept compacted at the front of a working copy so
 * each step streams contiguous rows. A distance is skipped when the bound max(core(v), core(r)) already reaches r's
 * best edge (mreach can only be larger). Distances use ||a||² + ||b||² - 2a·b in float64, as the kNN pass does.
 */
import { rowSqNorms } from '../distance-kernels.js';
import type { SpanningTree } from './mst.js';

/** MST of the mutual-reachability graph of n x d points (input order) given squared core distances. */
export function primMst(x: Float32Array, n: number, d: number, coreSq: Float64Array, onProgress?: (done: number) => void): SpanningTree {
  const m1 = Math.max(0, n - 1);
  const from = new Int32Array(m1);
  const to = new Int32Array(m1);
  const weight = new Float64Array(m1);
  if (n < 2) return { from, to, weight };
  const work = new Float32Array(x.subarray(0, n * d));
  const norm = rowSqNorms(work, n, d);
  const core = new Float64Array(coreSq.subarray(0, n));
  const id = new Int32Array(n);
  for (let i = 0; i < n; i++) id[i] = i;
  const best = new Float64Array(n).fill(Infinity);
  const bestFrom = new Int32Array(n).fill(-1);
  const v = new Float32Array(d);
  let remaining = n;

  // Move compacted position pos to the end of the remaining range (it joins the tree).
  const retire = (pos: number): void => {
    const last = remaining - 1;
    if (pos !== last) {
      work.copyWithin(pos * d, last * d, last * d + d);
      norm[pos] = norm[last]; core[pos] = core[last]; id[pos] = id[last];
      best[pos] = best[last]; bestFrom[pos] = bestFrom[last];
    }
    remaining--;
  };

  v.set(work.subarray(0, d));
  let vNorm = norm[0], vCore = core[0], vId = id[0];
  retire(0);
  for (let e = 0; e < n - 1; e++) {
    let minVal = Infinity;
    let minPos = -1;
    for (let pos = 0; pos < remaining; pos++) {
      let br = best[pos];
      const cr = core[pos];
      const lb = vCore > cr ? vCore : cr;
      if (br > lb) {
        const o = pos * d;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let j = 0;
        for (; j + 3 < d; j += 4) {
          s0 += v[j] * work[o + j];
          s1 += v[j + 1] * work[o + j + 1];
          s2 += v[j + 2] * work[o + j + 2];
          s3 += v[j + 3] * work[o + j + 3];
        }
        for (; j < d; j++) s0 += v[j] * work[o + j];
        let d2 = vNorm + norm[pos] - 2 * (s0 + s1 + s2 + s3);
        if (d2 < lb) d2 = lb;
        if (d2 < br) {
          br = d2;
          best[pos] = d2;
          bestFrom[pos] = vId;
        }
      }
      if (br < minVal) { minVal = br; minPos = pos; }
    }
    from[e] = bestFrom[minPos];
    to[e] = id[minPos];
    weight[e] = Math.sqrt(minVal);
    v.set(work.subarray(minPos * d, minPos * d + d));
    vNorm = norm[minPos]; vCore = core[minPos]; vId = id[minPos];
    retire(minPos);
    if (onProgress && (e + 1) % 4096 === 0) onProgress(e + 1);
  }
  return { from, to, weight };
}
