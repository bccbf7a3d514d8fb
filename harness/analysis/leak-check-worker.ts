/**
 * Piscina worker for the leak check: the normal stage worker (default export) plus `heapAfterGc`, which forces a
 * full GC in this worker and reports its heap. Workers cannot take --expose-gc in execArgv (Node rejects it for
 * worker threads), so the flag is set at run time and `gc` fetched from a fresh context, a documented V8 idiom.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

export { default } from '../workers/stage-worker.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap figures after a forced full GC. */
export interface HeapAfterGc {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** Force full GC (twice: the first can leave weakly held objects for the second) and read the heap. */
export function heapAfterGc(): HeapAfterGc {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}
