/**
 * Flat clusters from the condensed tree, as the Python `hdbscan` library's get_clusters / do_labelling /
 * get_probabilities:
 * - "eom" (excess of mass): bottom-up, keep a cluster when its stability is at least the summed stability of its
 *   kept descendants, else pass that sum up; the root takes part only with allowSingleCluster.
 * - "leaf": the clusters with no child clusters. With no split at all, nothing is selected (or the root, with
 *   allowSingleCluster; the Python library selects nothing here either way).
 * A point takes the label of the nearest selected cluster above it, else -1. When the root is the single selected
 * cluster, only points that persist to the root's last lambda are labelled (the library's rule). A point's
 * probability is min(lambda_p, lambda_max(C)) / lambda_max(C), lambda_max(C) the largest lambda of C's own rows.
 * Labels are numbered by cluster id order, as the library does.
 */
import { clusterDeaths, clusterParents, clusterStability, type CondensedTree } from './condensed-tree.js';

/** Selection options. */
export interface SelectionOptions {
  method: 'eom' | 'leaf';
  allowSingleCluster: boolean;
}

/** The flat clustering. */
export interface Selection {
  labels: Int32Array;
  probabilities: Float64Array;
  /** Condensed-tree ids of the selected clusters; label i is selected[i]. */
  selected: Int32Array;
  /** Stability (excess of mass) of every cluster of the condensed tree, indexed by id - nPoints. */
  stability: Float64Array;
}

/** Select clusters and label the points. */
export function selectClusters(t: CondensedTree, opts: SelectionOptions): Selection {
  const n = t.nPoints;
  const nc = t.nClusters;
  const { parent: cparent } = clusterParents(t);
  const stability = clusterStability(t);
  const isSelected = new Uint8Array(nc);
  const hasChild = new Uint8Array(nc);
  for (let c = 1; c < nc; c++) hasChild[cparent[c]] = 1;
  if (opts.method === 'eom') {
    const stab = Float64Array.from(stability);
    const childSum = new Float64Array(nc);
    const kept = new Uint8Array(nc);
    const lowest = opts.allowSingleCluster ? 0 : 1;
    for (let c = nc - 1; c >= lowest; c--) {
      if (childSum[c] > stab[c]) stab[c] = childSum[c];
      else kept[c] = 1;
      if (c > 0) childSum[cparent[c]] += stab[c];
    }
    // A kept cluster hides everything below it.
    const blocked = new Uint8Array(nc);
    for (let c = 0; c < nc; c++) {
      if (c > 0) blocked[c] = blocked[cparent[c]] | kept[cparent[c]];
      isSelected[c] = kept[c] & (blocked[c] ^ 1);
    }
  } else {
    let any = false;
    for (let c = 1; c < nc; c++)
      if (!hasChild[c]) {
        isSelected[c] = 1;
        any = true;
      }
    if (!any && opts.allowSingleCluster) isSelected[0] = 1;
  }
  const labelOf = new Int32Array(nc).fill(-1);
  const selectedList: number[] = [];
  for (let c = 0; c < nc; c++)
    if (isSelected[c]) {
      labelOf[c] = selectedList.length;
      selectedList.push(n + c);
    }
  // Nearest selected cluster at or above each cluster.
  const selAnc = new Int32Array(nc);
  for (let c = 0; c < nc; c++) selAnc[c] = isSelected[c] ? c : c === 0 ? -1 : selAnc[cparent[c]];
  const deaths = clusterDeaths(t);
  const labels = new Int32Array(n).fill(-1);
  const probabilities = new Float64Array(n);
  for (let i = 0; i < t.child.length; i++) {
    const p = t.child[i];
    if (p >= n) continue;
    const a = selAnc[t.parent[i] - n];
    if (a < 0) continue;
    const lam = t.lambda[i];
    if (a === 0 && !(lam >= deaths[0])) continue;
    labels[p] = labelOf[a];
    const maxL = deaths[a];
    probabilities[p] = maxL === 0 || !Number.isFinite(lam) ? 1 : Math.min(lam, maxL) / maxL;
  }
  return { labels, probabilities, selected: Int32Array.from(selectedList), stability };
}
