/**
 * The single-linkage dendrogram from an MST (Kruskal order), in scipy's linkage format: row i merges `left` and
 * `right` at `distance` into node n+i of `size` points; nodes 0..n-1 are the points.
 */
import type { SpanningTree } from './mst.js';

/** A dendrogram of n points: n-1 merge rows. */
export interface SingleLinkageTree {
  n: number;
  left: Int32Array;
  right: Int32Array;
  distance: Float64Array;
  size: Int32Array;
}

/** Sort MST edges by weight (ties by edge index, so the result is deterministic) and merge them in order. */
export function singleLinkage(mst: SpanningTree, n: number): SingleLinkageTree {
  const m = mst.weight.length;
  if (m !== Math.max(0, n - 1))
    throw new Error(`single linkage: a spanning tree of ${n} points has ${Math.max(0, n - 1)} edges, got ${m}`);
  const w = mst.weight;
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((a, b) => w[a] - w[b] || a - b);
  const parent = new Int32Array(2 * n - 1 > 0 ? 2 * n - 1 : 1).fill(-1);
  const nodeSize = new Int32Array(parent.length);
  nodeSize.fill(1, 0, n);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== -1) r = parent[r];
    while (parent[x] !== -1 && parent[x] !== r) {
      const nx = parent[x];
      parent[x] = r;
      x = nx;
    }
    return r;
  };
  const left = new Int32Array(m);
  const right = new Int32Array(m);
  const distance = new Float64Array(m);
  const size = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const e = order[i];
    const a = find(mst.from[e]);
    const b = find(mst.to[e]);
    if (a === b) throw new Error('single linkage: the edges contain a cycle; not a spanning tree');
    const node = n + i;
    left[i] = a;
    right[i] = b;
    distance[i] = w[e];
    size[i] = nodeSize[a] + nodeSize[b];
    nodeSize[node] = size[i];
    parent[a] = node;
    parent[b] = node;
  }
  return { n, left, right, distance, size };
}
