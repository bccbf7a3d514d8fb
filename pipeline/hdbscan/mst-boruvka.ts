/**
 * Borůvka MST over mutual reachability, accelerated by the kd-tree (the low-dimensional HDBSCAN path).
 *
 * Each round finds, for every component, its lightest edge to another component, then merges. For each point q:
 * - its component's bound is first seeded from q's kNN list (mreach >= core(q), so a listed neighbour at that weight
 *   settles q, which happens for most points in round 1);
 * - then a tree search prunes nodes that lie wholly in q's component, hold only points whose core distance is no
 *   better than the bound, or whose box-or-sphere lower bound is at least the bound. Spheres matter in 10+
 *   dimensions, where the box of a Gaussian blob overlaps its neighbours';
 * - q keeps a lower bound on its lightest edge out of its component. Components only grow, so the bound stays valid
 *   in later rounds and points deep inside a merged blob are skipped without a search.
 * All distances are squared; edge weights are square-rooted at the end. Equal weights are harmless: an edge that
 * would close a cycle is skipped by the union-find.
 */
import type { KnnResult } from './core-distances.js';
import { nodeLowerSqDist, type KdTree } from './kd-tree.js';
import type { SpanningTree } from './mst.js';
import { UnionFind } from './union-find.js';

class ComponentSearch {
  q = 0;
  qc = 0;
  cq = 0;
  best = Infinity;
  bestTo = -1;

  constructor(
    private readonly t: KdTree,
    private readonly coreSq: Float64Array,
    private readonly comp: Int32Array,
    private readonly nodeComp: Int32Array,
    private readonly nodeMinCore: Float64Array,
  ) {}

  visit(node: number): void {
    if (this.best <= this.cq || this.nodeComp[node] === this.qc || this.nodeMinCore[node] >= this.best) return;
    const t = this.t;
    if (node >= t.firstLeaf) {
      const { d, data } = t;
      const { comp, coreSq, qc, cq } = this;
      const qo = this.q * d;
      const e = t.end[node];
      for (let p = t.start[node]; p < e; p++) {
        if (comp[p] === qc) continue;
        const cp = coreSq[p];
        const best = this.best;
        if (cp >= best) continue;
        const po = p * d;
        let s = 0;
        for (let j = 0; j < d; j++) {
          const u = data[qo + j] - data[po + j];
          s += u * u;
        }
        const m = s > cq ? (s > cp ? s : cp) : cq > cp ? cq : cp;
        if (m < best) {
          this.best = m;
          this.bestTo = p;
        }
      }
      return;
    }
    const l = 2 * node + 1;
    const dl = nodeLowerSqDist(t, this.q, l);
    const dr = nodeLowerSqDist(t, this.q, l + 1);
    if (dl <= dr) {
      if (dl < this.best) this.visit(l);
      if (dr < this.best) this.visit(l + 1);
    } else {
      if (dr < this.best) this.visit(l + 1);
      if (dl < this.best) this.visit(l);
    }
  }
}

/** MST of the mutual-reachability graph from a kd-tree kNN pass; edges are returned over input rows. */
export function boruvkaMst(knn: KnnResult, onRound?: (round: number, components: number) => void): SpanningTree {
  const t = knn.tree;
  if (!t) throw new Error('boruvkaMst needs the kd-tree kNN result');
  const { n, nNodes, firstLeaf, start, end } = t;
  const { coreSq, knnIdx, knnD2, k } = knn;
  const nodeMinCore = new Float64Array(nNodes);
  for (let node = nNodes - 1; node >= 0; node--) {
    if (node >= firstLeaf) {
      let m = Infinity;
      for (let p = start[node]; p < end[node]; p++) if (coreSq[p] < m) m = coreSq[p];
      nodeMinCore[node] = m;
    } else {
      nodeMinCore[node] = Math.min(nodeMinCore[2 * node + 1], nodeMinCore[2 * node + 2]);
    }
  }
  const comp = new Int32Array(n);
  for (let i = 0; i < n; i++) comp[i] = i;
  // Lower bound on each point's lightest edge to another component (squared).
  const lower = Float64Array.from(coreSq);
  const nodeComp = new Int32Array(nNodes);
  const uf = new UnionFind(n);
  const compBest = new Float64Array(n);
  const compFrom = new Int32Array(n);
  const compTo = new Int32Array(n);
  const from = new Int32Array(Math.max(0, n - 1));
  const to = new Int32Array(Math.max(0, n - 1));
  const weight = new Float64Array(Math.max(0, n - 1));
  const search = new ComponentSearch(t, coreSq, comp, nodeComp, nodeMinCore);
  let edges = 0;
  for (let round = 1; edges < n - 1; round++) {
    for (let node = nNodes - 1; node >= 0; node--) {
      if (node >= firstLeaf) {
        let c = comp[start[node]];
        for (let p = start[node] + 1; p < end[node]; p++) if (comp[p] !== c) { c = -1; break; }
        nodeComp[node] = c;
      } else {
        const a = nodeComp[2 * node + 1];
        nodeComp[node] = a !== -1 && a === nodeComp[2 * node + 2] ? a : -1;
      }
    }
    compBest.fill(Infinity);
    for (let q = 0; q < n; q++) {
      const c = comp[q];
      const cq = coreSq[q];
      const b0 = compBest[c];
      if (lower[q] >= b0) continue;
      let best = b0;
      let bestTo = -1;
      for (let o = q * k, oe = o + k; o < oe; o++) {
        const p = knnIdx[o];
        if (p < 0 || comp[p] === c) continue;
        const cp = coreSq[p];
        const s = knnD2[o];
        const m = s > cq ? (s > cp ? s : cp) : cq > cp ? cq : cp;
        if (m < best) { best = m; bestTo = p; }
      }
      if (best > cq) {
        search.q = q;
        search.qc = c;
        search.cq = cq;
        search.best = best;
        search.bestTo = bestTo;
        search.visit(0);
        best = search.best;
        bestTo = search.bestTo;
      }
      if (bestTo >= 0) {
        lower[q] = best;
        compBest[c] = best;
        compFrom[c] = q;
        compTo[c] = bestTo;
      } else if (b0 > lower[q]) {
        lower[q] = b0;
      }
    }
    const before = edges;
    for (let c = 0; c < n; c++) {
      if (comp[c] !== c || compBest[c] === Infinity) continue;
      if (uf.union(compFrom[c], compTo[c]) === -1) continue;
      from[edges] = t.perm[compFrom[c]];
      to[edges] = t.perm[compTo[c]];
      weight[edges] = Math.sqrt(compBest[c]);
      edges++;
    }
    if (edges === before) throw new Error(`Borůvka made no progress in round ${round} (${n - edges} components left)`);
    for (let i = 0; i < n; i++) comp[i] = uf.find(i);
    onRound?.(round, n - edges);
  }
  return { from, to, weight };
}
