/**
 * A UMAP-style 2-D layout of our own (McInnes et al. 2018, as umap-learn's `optimize_layout_euclidean`), on exact
 * kNN from our kd-tree (pipeline/hdbscan/core-distances.ts) instead of nearest-neighbour descent. Written because
 * umap-js takes 30-40 s at 10K here (arrays of float64 arrays, NN-descent in JS) and leaves 100K to time out; this
 * one keeps everything in typed arrays: fuzzy graph as a COO edge list, SGD with negative sampling in place.
 *
 * Steps: per-point rho (nearest non-self distance) and sigma (binary search so the memberships sum to log2 k),
 * fuzzy union w = a + b - a·b of the directed memberships, edges sampled every maxW/w epochs, attraction
 * -2ab·d^(2(b-1))/(1 + a·d^(2b)), repulsion 2b/((0.001 + d²)(1 + a·d^(2b))) on `negativeSampleRate` random points,
 * gradients clipped to ±4, learning rate decaying linearly. a, b are fitted to minDist/spread as umap-learn does.
 */
import { mulberry32 } from '../support/seeded-random.js';

/** A kNN graph: row i's neighbours (self excluded) at idx[i*k .. i*k+k), ascending Euclidean distance in dist. */
export interface KnnGraph {
  n: number;
  k: number;
  idx: Int32Array;
  dist: Float64Array;
}

/** The symmetric fuzzy graph as directed edges (both directions present), weights in (0, 1]. */
export interface FuzzyGraph {
  head: Int32Array;
  tail: Int32Array;
  weight: Float64Array;
}

const SMOOTH_K_TOLERANCE = 1e-5;

/** Directed memberships exp(-(d - rho)/sigma) per kNN entry (umap-learn's smooth_knn_dist + compute_membership_strengths). */
export function knnMemberships(g: KnnGraph): Float64Array {
  const { n, k, dist } = g;
  const target = Math.log2(k);
  const w = new Float64Array(n * k);
  let meanAll = 0;
  for (let i = 0; i < n * k; i++) meanAll += dist[i];
  meanAll /= Math.max(1, n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let rho = 0;
    for (let j = 0; j < k; j++)
      if (dist[o + j] > 0) {
        rho = dist[o + j];
        break;
      }
    let lo = 0,
      hi = Infinity,
      mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        const dd = dist[o + j] - rho;
        psum += dd > 0 ? Math.exp(-dd / mid) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    // umap-learn's floor on sigma: a fraction of the mean distance, so isolated or duplicate points stay finite.
    let meanI = 0;
    for (let j = 0; j < k; j++) meanI += dist[o + j];
    meanI /= k;
    const floor = 1e-3 * (rho > 0 ? meanI : meanAll);
    const sigma = Math.max(mid, floor);
    for (let j = 0; j < k; j++) {
      const dd = dist[o + j] - rho;
      w[o + j] = dd <= 0 ? 1 : Math.exp(-dd / sigma);
    }
  }
  return w;
}

/** Fuzzy union of the directed memberships: w_ij = a + b - a·b, both directions kept (as umap-learn's COO graph). */
export function fuzzyUnion(g: KnnGraph, memberships: Float64Array): FuzzyGraph {
  const { n, k, idx } = g;
  // Upper bound: every directed entry and its reverse.
  const head = new Int32Array(2 * n * k),
    tail = new Int32Array(2 * n * k),
    weight = new Float64Array(2 * n * k);
  let m = 0;
  const reverse = (j: number, i: number): number => {
    const o = j * k;
    for (let t = 0; t < k; t++) if (idx[o + t] === i) return memberships[o + t];
    return 0;
  };
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = idx[i * k + t];
      if (j < 0 || j === i) continue;
      const a = memberships[i * k + t];
      const b = reverse(j, i);
      // A pair present in both lists is emitted once from the smaller id; a one-sided pair from its only side.
      if (b > 0 && j < i) continue;
      const w = a + b - a * b;
      if (w <= 0) continue;
      head[m] = i;
      tail[m] = j;
      weight[m] = w;
      m++;
      head[m] = j;
      tail[m] = i;
      weight[m] = w;
      m++;
    }
  }
  return { head: head.slice(0, m), tail: tail.slice(0, m), weight: weight.slice(0, m) };
}

/** umap-learn's find_ab_params: fit 1/(1 + a·x^(2b)) to the min-dist/spread curve by least squares (grid then refine). */
export function fitAb(minDist: number, spread = 1): { a: number; b: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 300; i++) {
    const x = (i / 299) * spread * 3;
    xs.push(x);
    ys.push(x < minDist ? 1 : Math.exp(-(x - minDist) / spread));
  }
  const err = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) {
      const r = 1 / (1 + a * Math.pow(xs[i], 2 * b)) - ys[i];
      s += r * r;
    }
    return s;
  };
  let best = { a: 1, b: 1, e: Infinity };
  for (let la = -3; la <= 3; la += 0.05)
    for (let b = 0.3; b <= 2.5; b += 0.02) {
      const e = err(Math.exp(la), b);
      if (e < best.e) best = { a: Math.exp(la), b, e };
    }
  // Coordinate refinement around the grid optimum.
  let step = 0.05;
  for (let it = 0; it < 60; it++) {
    let moved = false;
    for (const [da, db] of [
      [step, 0],
      [-step, 0],
      [0, step / 2],
      [0, -step / 2],
    ]) {
      const a = best.a * Math.exp(da),
        b = best.b + db;
      if (b <= 0) continue;
      const e = err(a, b);
      if (e < best.e) {
        best = { a, b, e };
        moved = true;
      }
    }
    if (!moved) step /= 2;
  }
  return { a: best.a, b: best.b };
}

/** Options for the SGD layout. */
export interface LayoutOptions {
  nEpochs: number;
  minDist: number;
  spread?: number;
  negativeSampleRate?: number;
  learningRate?: number;
  seed: number;
  onEpoch?: (epoch: number) => void;
}

/**
 * Optimise a 2-D (or any `dim`) embedding `y` (n x dim, modified in place) over the fuzzy graph. Edges lighter than
 * maxW/nEpochs are never sampled and are dropped first, as umap-learn does.
 */
export function optimizeLayout(y: Float32Array, n: number, dim: number, graph: FuzzyGraph, o: LayoutOptions): void {
  const { a, b } = fitAb(o.minDist, o.spread ?? 1);
  const negRate = o.negativeSampleRate ?? 5;
  const alpha0 = o.learningRate ?? 1;
  const rand = mulberry32(o.seed);
  let maxW = 0;
  for (let e = 0; e < graph.weight.length; e++) if (graph.weight[e] > maxW) maxW = graph.weight[e];
  const keep: number[] = [];
  for (let e = 0; e < graph.weight.length; e++) if (graph.weight[e] >= maxW / o.nEpochs) keep.push(e);
  const m = keep.length;
  const head = new Int32Array(m),
    tail = new Int32Array(m);
  const eps = new Float64Array(m),
    nextPos = new Float64Array(m),
    epsNeg = new Float64Array(m),
    nextNeg = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const e = keep[t];
    head[t] = graph.head[e];
    tail[t] = graph.tail[e];
    eps[t] = maxW / graph.weight[e];
    nextPos[t] = eps[t];
    epsNeg[t] = eps[t] / negRate;
    nextNeg[t] = epsNeg[t];
  }
  const twoAB = 2 * a * b,
    twoB = 2 * b;
  for (let epoch = 0; epoch < o.nEpochs; epoch++) {
    const alpha = alpha0 * (1 - epoch / o.nEpochs);
    const now = epoch + 1;
    for (let t = 0; t < m; t++) {
      if (nextPos[t] > now) continue;
      const j = head[t],
        k = tail[t];
      const jo = j * dim,
        ko = k * dim;
      let d2 = 0;
      for (let c = 0; c < dim; c++) {
        const u = y[jo + c] - y[ko + c];
        d2 += u * u;
      }
      if (d2 > 0) {
        const pb = Math.pow(d2, b);
        const coeff = (-twoAB * pb) / d2 / (a * pb + 1); // d2^(b-1) = pb / d2
        for (let c = 0; c < dim; c++) {
          let g = coeff * (y[jo + c] - y[ko + c]);
          g = g > 4 ? 4 : g < -4 ? -4 : g;
          y[jo + c] += g * alpha;
          y[ko + c] -= g * alpha;
        }
      }
      nextPos[t] += eps[t];
      const nNeg = Math.floor((now - nextNeg[t]) / epsNeg[t]);
      for (let p = 0; p < nNeg; p++) {
        const r = Math.floor(rand() * n);
        if (r === j) continue;
        const ro = r * dim;
        let s2 = 0;
        for (let c = 0; c < dim; c++) {
          const u = y[jo + c] - y[ro + c];
          s2 += u * u;
        }
        if (s2 > 0) {
          const coeff = twoB / ((0.001 + s2) * (a * Math.pow(s2, b) + 1));
          for (let c = 0; c < dim; c++) {
            let g = coeff * (y[jo + c] - y[ro + c]);
            g = g > 4 ? 4 : g < -4 ? -4 : g;
            y[jo + c] += g * alpha;
          }
        } else {
          for (let c = 0; c < dim; c++) y[jo + c] += 4 * alpha;
        }
      }
      nextNeg[t] += nNeg * epsNeg[t];
    }
    if (o.onEpoch && epoch % 20 === 0) o.onEpoch(epoch);
  }
}

/** umap-learn's default epoch count: 500 up to 10K points, 200 above. */
export const defaultEpochs = (n: number): number => (n <= 10_000 ? 500 : 200);
