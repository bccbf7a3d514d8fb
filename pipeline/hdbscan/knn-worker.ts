/** Helper-thread entry of the HDBSCAN kNN pass: claim query chunks of the shared job until none are left. */
import { parentPort, workerData } from 'node:worker_threads';
import { runKnnJob, type KnnJob } from './core-distances.js';

runKnnJob(workerData as KnnJob);
parentPort?.postMessage('done');
