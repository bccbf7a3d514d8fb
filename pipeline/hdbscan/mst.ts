/** The minimum spanning tree of the mutual-reachability graph, as n-1 edges over input rows. */
export interface SpanningTree {
  from: Int32Array;
  to: Int32Array;
  /** Mutual-reachability distance max(core(a), core(b), |a-b|) of each edge. */
  weight: Float64Array;
}

/** Total weight of a spanning tree (tests compare it with a brute-force MST). */
export function spanningTreeWeight(t: SpanningTree): number {
  let s = 0;
  for (let i = 0; i < t.weight.length; i++) s += t.weight[i];
  return s;
}
