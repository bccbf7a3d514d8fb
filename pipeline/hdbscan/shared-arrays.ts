/**
 * Typed arrays backed by SharedArrayBuffer, so HDBSCAN's helper threads read the points and write kNN results in
 * place: nothing is structured-cloned or copied per thread.
 */

/** A Float32Array on shared memory. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, length) * 4), 0, length);
}

/** A Float64Array on shared memory. */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, length) * 8), 0, length);
}

/** An Int32Array on shared memory (also usable with Atomics). */
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, length) * 4), 0, length);
}
