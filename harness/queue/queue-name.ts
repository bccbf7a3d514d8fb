/** The one queue every clusterbench worker listens on (a Redis key prefix separates unrelated deployments). */
export const CELL_QUEUE_NAME = 'clusterbench-cells';
