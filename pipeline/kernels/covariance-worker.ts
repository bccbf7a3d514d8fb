/** Worker thread of covarianceMatrixParallel: accumulates the cross-products of its share of rows and sends them back. */
import { parentPort, workerData } from 'node:worker_threads';
import { accumulateCrossProducts, paddedDims } from './covariance-kernel.js';

const { part, rows, d, mean } = workerData as { part: Float32Array; rows: number; d: number; mean: Float64Array };
const acc = new Float64Array(paddedDims(d) ** 2);
accumulateCrossProducts(part, rows, d, mean, acc);
parentPort!.postMessage(acc, [acc.buffer]);
