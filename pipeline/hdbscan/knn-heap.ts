/**
 * Fixed-size max-heaps of (squared distance, index) stored in flat arrays at an offset: the k-nearest-neighbour
 * lists of HDBSCAN's core-distance pass live directly in the output arrays, one heap of k entries per point.
 */

/** Replace the largest entry of the heap at hd/hi[off .. off+k) with (d2, p) and restore the heap order. */
export function heapReplaceTop(hd: Float64Array, hi: Int32Array, off: number, k: number, d2: number, p: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= k) break;
    const r = l + 1;
    const c = r < k && hd[off + r] > hd[off + l] ? r : l;
    if (hd[off + c] <= d2) break;
    hd[off + i] = hd[off + c];
    hi[off + i] = hi[off + c];
    i = c;
  }
  hd[off + i] = d2;
  hi[off + i] = p;
}
