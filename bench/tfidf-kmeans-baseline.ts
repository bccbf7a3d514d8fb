/**
 * The baseline of the real-text quality bench: scikit-learn's default text clustering recipe, written out so it runs
 * in the same process. TfidfVectorizer() defaults (lower-case, tokens \b\w\w+\b, smooth idf, raw tf, L2 rows) on
 * exact sparse vectors, then KMeans(k) with greedy k-means++ seeding (2 + ln k trials), Lloyd, best inertia of
 * `nInit` seeded runs. Sparse rows against dense centroids: a few million multiply-adds per iteration.
 */
import { mulberry32 } from '../pipeline/support/seeded-random.js';

/** Sparse L2-normalised rows: row i's terms are cols[ptr[i]..ptr[i+1]) with weights vals[...]. */
export interface SparseRows {
  n: number;
  vocab: number;
  ptr: Int32Array;
  cols: Int32Array;
  vals: Float32Array;
}

/** scikit-learn TfidfVectorizer() with its defaults. */
export function sklearnTfidf(texts: readonly string[]): SparseRows {
  const vocab = new Map<string, number>();
  const docs = texts.map((t) => {
    const tf = new Map<number, number>();
    for (const w of t.toLowerCase().match(/\b\w\w+\b/gu) ?? []) {
      let id = vocab.get(w);
      if (id === undefined) vocab.set(w, (id = vocab.size));
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    return tf;
  });
  const df = new Float64Array(vocab.size);
  for (const d of docs) for (const id of d.keys()) df[id]++;
  const n = texts.length;
  const idf = Array.from(df, (f) => Math.log((1 + n) / (1 + f)) + 1);
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) ptr[i + 1] = ptr[i] + docs[i].size;
  const cols = new Int32Array(ptr[n]);
  const vals = new Float32Array(ptr[n]);
  for (let i = 0; i < n; i++) {
    let j = ptr[i],
      norm = 0;
    for (const [id, c] of docs[i]) {
      cols[j] = id;
      vals[j] = c * idf[id];
      norm += vals[j] * vals[j];
      j++;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let q = ptr[i]; q < j; q++) vals[q] *= inv;
  }
  return { n, vocab: vocab.size, ptr, cols, vals };
}

function rowDot(x: SparseRows, i: number, c: Float64Array, off: number): number {
  let s = 0;
  for (let q = x.ptr[i]; q < x.ptr[i + 1]; q++) s += x.vals[q] * c[off + x.cols[q]];
  return s;
}

function rowSq(x: SparseRows, i: number): number {
  let s = 0;
  for (let q = x.ptr[i]; q < x.ptr[i + 1]; q++) s += x.vals[q] * x.vals[q];
  return s;
}

/** Squared distances of every row to sparse row j. */
function distancesTo(x: SparseRows, j: number, dense: Float64Array): Float64Array {
  for (let q = x.ptr[j]; q < x.ptr[j + 1]; q++) dense[x.cols[q]] = x.vals[q];
  const jSq = rowSq(x, j);
  const out = new Float64Array(x.n);
  for (let i = 0; i < x.n; i++) out[i] = Math.max(0, rowSq(x, i) + jSq - 2 * rowDot(x, i, dense, 0));
  for (let q = x.ptr[j]; q < x.ptr[j + 1]; q++) dense[x.cols[q]] = 0;
  return out;
}

function seed(x: SparseRows, k: number, rand: () => number): number[] {
  const trials = 2 + Math.floor(Math.log(k));
  const dense = new Float64Array(x.vocab);
  const centres = [Math.floor(rand() * x.n)];
  const closest = new Float64Array(x.n);
  closest.set(distancesTo(x, centres[0], dense));
  while (centres.length < k) {
    const total = closest.reduce((a, b) => a + b, 0);
    let best = -1,
      bestPot = Infinity,
      bestD: Float64Array | undefined;
    for (let t = 0; t < trials; t++) {
      let r = rand() * total,
        cand = 0;
      for (; cand < x.n - 1 && r >= closest[cand]; cand++) r -= closest[cand];
      const d = distancesTo(x, cand, dense);
      let pot = 0;
      for (let i = 0; i < x.n; i++) {
        d[i] = Math.min(closest[i], d[i]);
        pot += d[i];
      }
      if (pot < bestPot) {
        bestPot = pot;
        best = cand;
        bestD = d;
      }
    }
    centres.push(best);
    closest.set(bestD!);
  }
  return centres;
}

/** One seeded k-means run on sparse rows; labels and inertia. */
export function sparseKMeans(
  x: SparseRows,
  k: number,
  seedValue: number,
  maxIterations = 300,
): { labels: Int32Array; inertia: number } {
  const rand = mulberry32(seedValue);
  const V = x.vocab;
  const c = new Float64Array(k * V);
  seed(x, k, rand).forEach((row, ci) => {
    for (let q = x.ptr[row]; q < x.ptr[row + 1]; q++) c[ci * V + x.cols[q]] = x.vals[q];
  });
  const labels = new Int32Array(x.n).fill(-1);
  const cSq = new Float64Array(k);
  let inertia = Infinity;
  for (let it = 0; it < maxIterations; it++) {
    for (let ci = 0; ci < k; ci++) {
      let s = 0;
      for (let v = 0; v < V; v++) s += c[ci * V + v] ** 2;
      cSq[ci] = s;
    }
    let changed = 0,
      total = 0;
    for (let i = 0; i < x.n; i++) {
      let best = 0,
        bestD = Infinity;
      for (let ci = 0; ci < k; ci++) {
        const d = cSq[ci] - 2 * rowDot(x, i, c, ci * V);
        if (d < bestD) {
          bestD = d;
          best = ci;
        }
      }
      total += bestD + rowSq(x, i);
      if (labels[i] !== best) {
        labels[i] = best;
        changed++;
      }
    }
    inertia = total;
    if (changed === 0) break;
    c.fill(0);
    const size = new Float64Array(k);
    for (let i = 0; i < x.n; i++) {
      size[labels[i]]++;
      for (let q = x.ptr[i]; q < x.ptr[i + 1]; q++) c[labels[i] * V + x.cols[q]] += x.vals[q];
    }
    for (let ci = 0; ci < k; ci++) if (size[ci] > 0) for (let v = 0; v < V; v++) c[ci * V + v] /= size[ci];
  }
  return { labels, inertia };
}

/** Best-inertia labels of `nInit` seeded runs. */
export function tfidfKMeansBaseline(texts: readonly string[], k: number, nInit = 10): Int32Array {
  const x = sklearnTfidf(texts);
  let best: { labels: Int32Array; inertia: number } | undefined;
  for (let r = 0; r < nInit; r++) {
    const run = sparseKMeans(x, k, 1000 + r);
    if (!best || run.inertia < best.inertia) best = run;
  }
  return best!.labels;
}
