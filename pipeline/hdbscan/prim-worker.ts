/** Helper-thread entry of the parallel Prim MST: run this thread's share in lockstep with the others. */
import { parentPort, workerData } from 'node:worker_threads';
import { runPrimPart, type PrimJob } from './mst-prim.js';

const { job, part } = workerData as { job: PrimJob; part: number };
parentPort?.postMessage('ready');
runPrimPart(job, part);
