/** Helper-thread entry of the HDBSCAN kNN pass: claim work of the shared job until none is left. */
import { parentPort, workerData } from 'node:worker_threads';
import { runKnnJob, type KnnJob } from './core-distances.js';

const { job, part } = workerData as { job: KnnJob; part: number };
runKnnJob(job, part);
parentPort?.postMessage('done');
