/** The profile's `scaling:` key (issue 6): target scales for extrapolation and the hardware table, and statistics settings. */
import { z } from 'zod/v4';
import { ifPresent } from '../../pipeline/support/zod-issues.js';

const positiveInt = z
  .number({ error: ifPresent('must be a positive integer') })
  .int('must be a positive integer')
  .positive('must be a positive integer');

/** `scaling:` targets, RAM safety factor, bootstrap resamples. All optional. */
export const scalingSpecSchema = z
  .object({
    /** Scales to extrapolate time and memory to, and the hardware table's rows. */
    targets: z
      .array(positiveInt)
      .min(1, 'must list at least one scale')
      .default([1_000, 10_000, 100_000, 1_000_000, 10_000_000]),
    /** Which fitted time the hardware table's time column sums: wall (what a user waits) or cpu (steadier on a shared machine). */
    timeMetric: z.enum(['wall', 'cpu'], { error: 'must be wall or cpu' }).default('wall'),
    /** RAM recommendation = peak RSS x this. */
    safetyFactor: z.number().min(1, 'must be >= 1').default(1.5),
    /** Resamples for the bootstrap CI of each cell's median. */
    bootstrapResamples: z.number().int().min(100, 'must be >= 100').max(100_000, 'must be <= 100000').default(2000),
    /** |modified z-score| above this flags a repeat as an outlier (Iglewicz and Hoaglin's 3.5). */
    outlierZ: z.number().positive('must be > 0').default(3.5),
  })
  .strict();

/** Validated `scaling:` key. */
export type ScalingSpec = z.infer<typeof scalingSpecSchema>;
/** Defaults when a profile has no `scaling:` key. */
export const defaultScalingSpec: ScalingSpec = scalingSpecSchema.parse({});
