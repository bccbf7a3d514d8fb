/** Helper-thread entry of the parallel Borůvka MST: run each round's share of the searches until told to stop. */
import { parentPort, workerData } from 'node:worker_threads';
import { boruvkaHelperLoop, type BoruvkaShared } from './mst-boruvka.js';

const { shared, part } = workerData as { shared: BoruvkaShared; part: number };
parentPort?.postMessage('ready');
boruvkaHelperLoop(shared, part);
