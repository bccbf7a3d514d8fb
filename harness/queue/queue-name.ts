/** The one queue every clusterbench worker listens on (a Redis key prefix separates unrelated deployments). */
export const CELL_QUEUE_NAME = 'clusterbench-cells';
/** The queue that holds one parent job per sweep; no worker processes it (harness/queue/cell-queue.ts). */
export const SWEEP_QUEUE_NAME = 'clusterbench-sweeps';
