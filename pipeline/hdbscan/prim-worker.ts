/** Helper-thread entry of the parallel Prim MST: run this thread's share in lockstep with the others. */
import { workerData } from 'node:worker_threads';
import { runPrimPart, type PrimJob } from './mst-prim.js';

const { job, part } = workerData as { job: PrimJob; part: number };
runPrimPart(job, part);
