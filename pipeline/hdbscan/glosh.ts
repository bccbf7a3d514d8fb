/**
 * GLOSH outlier scores (Campello et al. 2015) from the condensed tree: score(p) = (lambda_max(C) - lambda_p) /
 * lambda_max(C), where C is the cluster p falls out of and lambda_max(C) the largest lambda reached anywhere in C's
 * subtree (the density of its densest point). 0 = as dense as the densest point of its cluster, toward 1 = outlier.
 *
 * The Python `hdbscan` library's outlier_scores means the same, but its propagation of lambda_max up the tree
 * walks clusters in an arbitrary order and stops at the first point row, so on trees with nested splits it can use
 * a cluster's own rows only; this version propagates bottom-up in full. Where lambda_max(C) is infinite (duplicate
 * points), finite-lambda points score 1 and infinite ones 0.
 */
import { clusterDeaths, clusterParents, type CondensedTree } from './condensed-tree.js';

/** One score per point, in [0, 1]. */
export function glosh(t: CondensedTree): Float64Array {
  const n = t.nPoints;
  const deaths = clusterDeaths(t);
  const { parent } = clusterParents(t);
  for (let c = t.nClusters - 1; c > 0; c--) if (deaths[c] > deaths[parent[c]]) deaths[parent[c]] = deaths[c];
  const scores = new Float64Array(n);
  for (let i = 0; i < t.child.length; i++) {
    const p = t.child[i];
    if (p >= n) continue;
    const lmax = deaths[t.parent[i] - n];
    const lam = t.lambda[i];
    if (lmax === 0 || !Number.isFinite(lam)) scores[p] = 0;
    else if (!Number.isFinite(lmax)) scores[p] = 1;
    else scores[p] = (lmax - lam) / lmax;
  }
  return scores;
}
