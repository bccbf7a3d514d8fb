/**
 * The profile's `execution:` key (issue 11): run a scale all at once (`batch`, the default) or `streaming`, where the
 * row-wise stages at the head of the pipeline take the conversations in record batches of `batchSize` rows, so the
 * text of a scale is never all in memory (harness/sweep/streaming-scale.ts). `compareModes` runs each scale once more
 * in the other mode and reports both modes' time and peak memory side by side (sections.executionModes).
 */
import { z } from 'zod/v4';
import { ifPresent } from '../../pipeline/support/zod-issues.js';

const positiveInt = z
  .number({ error: ifPresent('must be a positive integer') })
  .int('must be a positive integer')
  .positive('must be a positive integer');

/** `execution:` as validated. */
export const executionSpecSchema = z
  .object({
    mode: z.enum(['batch', 'streaming'], { error: 'must be batch or streaming' }).default('batch'),
    /** Rows per record batch in streaming mode. */
    batchSize: positiveInt.default(50_000),
    /** Also run each scale in the other mode (measured once, unrecorded as cells) and report both side by side. */
    compareModes: z.boolean({ error: ifPresent('must be true or false') }).default(false),
  })
  .strict();

/** Validated `execution:` key. */
export type ExecutionSpec = z.infer<typeof executionSpecSchema>;

/** The execution settings of a profile (defaults when it has no `execution:` key). */
export function executionOf(profile: { execution?: ExecutionSpec }): ExecutionSpec {
  return profile.execution ?? executionSpecSchema.parse({});
}
