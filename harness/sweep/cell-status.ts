/** Which cell statuses carry real measurements. */
import type { CellStatus } from '../types.js';

/**
 * True when the stage ran to completion, so its time and memory are real measurements: `ok`, and the soft breaking
 * points `degraded` (quality floor crossed) and `superlinear` (scaling exponent too high). False for oom, timeout,
 * error and skipped.
 */
export function isMeasuredStatus(status: CellStatus): boolean {
  return status === 'ok' || status === 'degraded' || status === 'superlinear';
}
