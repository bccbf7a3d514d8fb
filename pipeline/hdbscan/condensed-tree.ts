/**
 * The condensed cluster tree of HDBSCAN (Campello et al. 2013; the `condense_tree` and `compute_stability` of the
 * Python `hdbscan` library). Walking the dendrogram top-down in breadth-first order, a split where both sides hold
 * at least min_cluster_size points gives birth to two child clusters; otherwise the small side's points "fall out"
 * of the current cluster at lambda = 1/distance and the big side keeps the parent's label.
 *
 * Node ids: points are 0..n-1, clusters are n..n+nClusters-1 with the root n; a child's id is always larger than
 * its parent's (the order cluster selection relies on).
 */
import type { SingleLinkageTree } from './single-linkage.js';

/** Rows (parent, child, lambda, childSize): one per point (childSize 1) and one per non-root cluster. */
export interface CondensedTree {
  nPoints: number;
  nClusters: number;
  parent: Int32Array;
  child: Int32Array;
  lambda: Float64Array;
  childSize: Int32Array;
}

/** Condense a dendrogram for a minimum cluster size (>= 2). */
export function condenseTree(sl: SingleLinkageTree, minClusterSize: number): CondensedTree {
  const n = sl.n;
  const cap = 2 * n;
  const parent = new Int32Array(cap);
  const child = new Int32Array(cap);
  const lambda = new Float64Array(cap);
  const childSize = new Int32Array(cap);
  let rows = 0;
  const emit = (p: number, c: number, l: number, s: number): void => {
    parent[rows] = p;
    child[rows] = c;
    lambda[rows] = l;
    childSize[rows] = s;
    rows++;
  };
  if (n === 1) {
    emit(1, 0, Infinity, 1);
    return {
      nPoints: 1,
      nClusters: 1,
      parent: parent.slice(0, rows),
      child: child.slice(0, rows),
      lambda: lambda.slice(0, rows),
      childSize: childSize.slice(0, rows),
    };
  }
  const relabel = new Int32Array(2 * n - 1);
  const stack = new Int32Array(n);
  // Every point of dendrogram node `sub` falls out of cluster `label` at lambda l.
  const fallOut = (sub: number, label: number, l: number): void => {
    let top = 0;
    stack[top++] = sub;
    while (top > 0) {
      const x = stack[--top];
      if (x < n) emit(label, x, l, 1);
      else {
        stack[top++] = sl.left[x - n];
        stack[top++] = sl.right[x - n];
      }
    }
  };
  const queue = new Int32Array(n);
  let head = 0,
    tail = 0;
  const root = 2 * n - 2;
  relabel[root] = n;
  let next = n + 1;
  queue[tail++] = root;
  while (head < tail) {
    const node = queue[head++];
    const i = node - n;
    const l = sl.left[i],
      r = sl.right[i];
    const dist = sl.distance[i];
    const lam = dist > 0 ? 1 / dist : Infinity;
    const lc = l >= n ? sl.size[l - n] : 1;
    const rc = r >= n ? sl.size[r - n] : 1;
    const label = relabel[node];
    if (lc >= minClusterSize && rc >= minClusterSize) {
      relabel[l] = next++;
      emit(label, relabel[l], lam, lc);
      relabel[r] = next++;
      emit(label, relabel[r], lam, rc);
      queue[tail++] = l;
      queue[tail++] = r;
    } else if (lc < minClusterSize && rc < minClusterSize) {
      fallOut(l, label, lam);
      fallOut(r, label, lam);
    } else if (lc < minClusterSize) {
      relabel[r] = label;
      fallOut(l, label, lam);
      queue[tail++] = r;
    } else {
      relabel[l] = label;
      fallOut(r, label, lam);
      queue[tail++] = l;
    }
  }
  return {
    nPoints: n,
    nClusters: next - n,
    parent: parent.slice(0, rows),
    child: child.slice(0, rows),
    lambda: lambda.slice(0, rows),
    childSize: childSize.slice(0, rows),
  };
}

/** Parent cluster (-1 for the root) and birth lambda of every cluster, indexed by id - nPoints. */
export function clusterParents(t: CondensedTree): { parent: Int32Array; birth: Float64Array } {
  const parent = new Int32Array(t.nClusters).fill(-1);
  const birth = new Float64Array(t.nClusters);
  for (let i = 0; i < t.child.length; i++) {
    const c = t.child[i];
    if (c >= t.nPoints) {
      parent[c - t.nPoints] = t.parent[i] - t.nPoints;
      birth[c - t.nPoints] = t.lambda[i];
    }
  }
  return { parent, birth };
}

/** Excess of mass of each cluster: sum over its rows of (lambda - birth(cluster)) * childSize; the root is born at 0. */
export function clusterStability(t: CondensedTree): Float64Array {
  const { birth } = clusterParents(t);
  birth[0] = 0;
  const s = new Float64Array(t.nClusters);
  for (let i = 0; i < t.child.length; i++) {
    const c = t.parent[i] - t.nPoints;
    s[c] += (t.lambda[i] - birth[c]) * t.childSize[i];
  }
  return s;
}

/** Largest lambda among each cluster's own rows (points and child clusters), indexed by id - nPoints. */
export function clusterDeaths(t: CondensedTree): Float64Array {
  const deaths = new Float64Array(t.nClusters);
  for (let i = 0; i < t.child.length; i++) {
    const c = t.parent[i] - t.nPoints;
    if (t.lambda[i] > deaths[c]) deaths[c] = t.lambda[i];
  }
  return deaths;
}
