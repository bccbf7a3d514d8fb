/**
 * A kd-tree over Float32Array points for the low-dimensional HDBSCAN path (kNN core distances, Borůvka MST).
 *
 * Layout (as scikit-learn's BinaryTree): a complete binary tree in arrays, node i has children 2i+1 and 2i+2, each
 * node owns a contiguous range [start, end) of tree positions, split at the middle on the widest dimension. The points
 * are copied into tree order (`data`), so a leaf's points are adjacent in memory; `perm` maps a tree position back to
 * the caller's row. All arrays live on SharedArrayBuffer so helper threads query the same tree.
 */
import { heapReplaceTop } from './knn-heap.js';
import { sharedFloat32, sharedFloat64, sharedInt32 } from './shared-arrays.js';

/** The tree. Point p of the tree is row perm[p] of the input; its coordinates are data[p*d .. p*d+d). */
export interface KdTree {
  n: number;
  d: number;
  /** Points in tree order. */
  data: Float32Array;
  /** Tree position -> input row. */
  perm: Int32Array;
  nNodes: number;
  /** Index of the first leaf; nodes >= firstLeaf are leaves. */
  firstLeaf: number;
  start: Int32Array;
  end: Int32Array;
  /** Bounding box of each node, nNodes x d. */
  lo: Float32Array;
  hi: Float32Array;
  /** Bounding sphere of each node (centroid nNodes x d, radius): in 10+ dimensions far tighter than the box. */
  centre: Float32Array;
  radius: Float64Array;
}

/** Reorder idx[s..e) so idx[k] holds the k-th smallest value of coordinate `dim` (quickselect, median of three). */
function selectKth(idx: Int32Array, x: Float32Array, d: number, dim: number, s: number, e: number, k: number): void {
  let lo = s;
  let hi = e - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const a = x[idx[lo] * d + dim],
      b = x[idx[mid] * d + dim],
      c = x[idx[hi] * d + dim];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (x[idx[i] * d + dim] < pivot) i++;
      while (x[idx[j] * d + dim] > pivot) j--;
      if (i <= j) {
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** Build a kd-tree over n x d points; leaves hold about leafSize/2 .. leafSize points. */
export function buildKdTree(x: Float32Array, n: number, d: number, leafSize = 16): KdTree {
  if (n < 1) throw new Error('kd-tree needs at least one point');
  const nLevels = 1 + Math.floor(Math.log2(Math.max(1, (n - 1) / leafSize)));
  const nNodes = 2 ** nLevels - 1;
  const firstLeaf = 2 ** (nLevels - 1) - 1;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const start = sharedInt32(nNodes);
  const end = sharedInt32(nNodes);
  const lo = sharedFloat32(nNodes * d);
  const hi = sharedFloat32(nNodes * d);
  start[0] = 0;
  end[0] = n;
  for (let node = 0; node < nNodes; node++) {
    const s = start[node],
      e = end[node];
    const o = node * d;
    for (let j = 0; j < d; j++) {
      lo[o + j] = Infinity;
      hi[o + j] = -Infinity;
    }
    for (let p = s; p < e; p++) {
      const r = idx[p] * d;
      for (let j = 0; j < d; j++) {
        const v = x[r + j];
        if (v < lo[o + j]) lo[o + j] = v;
        if (v > hi[o + j]) hi[o + j] = v;
      }
    }
    if (node >= firstLeaf) continue;
    let dim = 0;
    let spread = -1;
    for (let j = 0; j < d; j++) {
      const w = hi[o + j] - lo[o + j];
      if (w > spread) {
        spread = w;
        dim = j;
      }
    }
    const mid = s + ((e - s) >>> 1);
    if (e - s > 1) selectKth(idx, x, d, dim, s, e, mid);
    const l = 2 * node + 1;
    start[l] = s;
    end[l] = mid;
    start[l + 1] = mid;
    end[l + 1] = e;
  }
  const data = sharedFloat32(n * d);
  const perm = sharedInt32(n);
  for (let p = 0; p < n; p++) {
    perm[p] = idx[p];
    data.set(x.subarray(idx[p] * d, idx[p] * d + d), p * d);
  }
  const centre = sharedFloat32(nNodes * d);
  const radius = sharedFloat64(nNodes);
  const sum = new Float64Array(d);
  for (let node = 0; node < nNodes; node++) {
    const s = start[node],
      e = end[node];
    const o = node * d;
    sum.fill(0);
    for (let p = s; p < e; p++) for (let j = 0; j < d; j++) sum[j] += data[p * d + j];
    for (let j = 0; j < d; j++) centre[o + j] = sum[j] / Math.max(1, e - s);
    let r2 = 0;
    for (let p = s; p < e; p++) {
      let q = 0;
      for (let j = 0; j < d; j++) {
        const u = data[p * d + j] - centre[o + j];
        q += u * u;
      }
      if (q > r2) r2 = q;
    }
    // Pad by a relative epsilon so float32 rounding of the centre never makes the bound exceed a true distance.
    radius[node] = Math.sqrt(r2) * (1 + 1e-6) + 1e-6;
  }
  return { n, d, data, perm, nNodes, firstLeaf, start, end, lo, hi, centre, radius };
}

/**
 * Lower bound on the squared distance from a query (coordinates v[vo .. vo+d), e.g. tree.data at q*d) to any point
 * of a node: the box bound or the sphere bound, whichever is larger.
 */
export function nodeLowerSqDist(t: KdTree, v: Float32Array, vo: number, node: number): number {
  const { d, lo, hi, centre } = t;
  const o = node * d;
  let box = 0;
  let c = 0;
  for (let j = 0; j < d; j++) {
    const x = v[vo + j];
    const a = lo[o + j] - x;
    if (a > 0) box += a * a;
    else {
      const b = x - hi[o + j];
      if (b > 0) box += b * b;
    }
    const w = x - centre[o + j];
    c += w * w;
  }
  const s = Math.sqrt(c) - t.radius[node];
  return s > 0 && s * s > box ? s * s : box;
}

/** Squared distance from tree point q to the bounding box of a node (0 inside). */
export function boxSqDist(t: KdTree, q: number, node: number): number {
  const { d, data, lo, hi } = t;
  const qo = q * d;
  const o = node * d;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const v = data[qo + j];
    const a = lo[o + j] - v;
    if (a > 0) {
      s += a * a;
      continue;
    }
    const b = v - hi[o + j];
    if (b > 0) s += b * b;
  }
  return s;
}

/**
 * Exact k-nearest-neighbour queries for points of the tree, the point itself included (it is at distance 0).
 * query(q, hd, hi, off) leaves the k squared distances and tree positions at hd/hi[off .. off+k) as a max-heap.
 */
export class KdKnn {
  private q = 0;
  private hd: Float64Array = new Float64Array(0);
  private hi: Int32Array = new Int32Array(0);
  private off = 0;

  constructor(
    private readonly t: KdTree,
    private readonly k: number,
  ) {}

  query(q: number, hd: Float64Array, hi: Int32Array, off: number): void {
    hd.fill(Infinity, off, off + this.k);
    hi.fill(-1, off, off + this.k);
    this.q = q;
    this.hd = hd;
    this.hi = hi;
    this.off = off;
    this.visit(0);
  }

  private visit(node: number): void {
    const t = this.t;
    const hd = this.hd,
      off = this.off;
    if (node >= t.firstLeaf) {
      const { d, data } = t;
      const qo = this.q * d;
      const e = t.end[node];
      // Early abandon: most candidates already exceed the bound on the first half of the dimensions.
      const h = d >> 1;
      for (let p = t.start[node]; p < e; p++) {
        const po = p * d;
        const bound = hd[off];
        let s = 0;
        for (let j = 0; j < h; j++) {
          const u = data[qo + j] - data[po + j];
          s += u * u;
        }
        if (s >= bound) continue;
        for (let j = h; j < d; j++) {
          const u = data[qo + j] - data[po + j];
          s += u * u;
        }
        if (s < bound) heapReplaceTop(hd, this.hi, off, this.k, s, p);
      }
      return;
    }
    const l = 2 * node + 1;
    // Box bounds only: within a blob the sphere bound never wins (measured: same distance count at 100K x 10).
    const dl = boxSqDist(t, this.q, l);
    const dr = boxSqDist(t, this.q, l + 1);
    if (dl <= dr) {
      if (dl < hd[off]) this.visit(l);
      if (dr < hd[off]) this.visit(l + 1);
    } else {
      if (dr < hd[off]) this.visit(l + 1);
      if (dl < hd[off]) this.visit(l);
    }
  }
}
