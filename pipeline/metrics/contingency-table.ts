/** The contingency table between two labelings, the basis of ARI, NMI, homogeneity and purity. */

/** Counts n[i][j] of items with truth class i and predicted cluster j, in sparse form. */
export interface Contingency {
  n: number;
  /** Row sums (per truth class) and column sums (per cluster). */
  rowSums: number[];
  colSums: number[];
  /** Non-zero cells as [row, col, count]. */
  cells: [number, number, number][];
}

/** Build the table. Noise (-1) in `pred` counts as its own cluster, as scikit-learn does. */
export function contingencyTable(truth: ArrayLike<number>, pred: ArrayLike<number>): Contingency {
  if (truth.length !== pred.length) throw new Error(`label lengths differ: ${truth.length} vs ${pred.length}`);
  const rowIds = new Map<number, number>();
  const colIds = new Map<number, number>();
  const cellMap = new Map<number, number>();
  const rowSums: number[] = [];
  const colSums: number[] = [];
  for (let i = 0; i < truth.length; i++) {
    let r = rowIds.get(truth[i]);
    if (r === undefined) {
      r = rowIds.size;
      rowIds.set(truth[i], r);
      rowSums.push(0);
    }
    let c = colIds.get(pred[i]);
    if (c === undefined) {
      c = colIds.size;
      colIds.set(pred[i], c);
      colSums.push(0);
    }
    rowSums[r]++;
    colSums[c]++;
    const key = r * 1_000_003 + c;
    cellMap.set(key, (cellMap.get(key) ?? 0) + 1);
  }
  const cells: [number, number, number][] = [];
  for (const [key, v] of cellMap) cells.push([Math.floor(key / 1_000_003), key % 1_000_003, v]);
  return { n: truth.length, rowSums, colSums, cells };
}
