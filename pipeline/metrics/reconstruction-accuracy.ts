/**
 * Clio-style reconstruction accuracy: map each cluster to its majority intent and score the share of conversations
 * whose intent matches their cluster's. Unlike purity, a noise point (-1) has no cluster and so counts as a miss.
 */

/** Share of points (with truth >= 0) whose cluster's majority truth equals their own truth. */
export function reconstructionAccuracy(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  if (truth.length !== pred.length) throw new Error(`label lengths differ: ${truth.length} vs ${pred.length}`);
  const perCluster = new Map<number, Map<number, number>>();
  let n = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] < 0) continue;
    n++;
    if (pred[i] < 0) continue;
    let m = perCluster.get(pred[i]);
    if (!m) perCluster.set(pred[i], (m = new Map<number, number>()));
    m.set(truth[i], (m.get(truth[i]) ?? 0) + 1);
  }
  if (n === 0) return 1;
  let hits = 0;
  for (const m of perCluster.values()) hits += Math.max(...m.values());
  return hits / n;
}
