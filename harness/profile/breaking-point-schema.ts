/**
 * The profile's `breakingPoints:` key (issue 6): quality floor (-> `degraded`), super-linear threshold
 * (-> `superlinear`), bisection of a break between two scales, and the geometric escalation of the `breaking-point`
 * command. Lives here so that profile-schema.ts only imports it.
 */
import { z } from 'zod/v4';
import { ifPresent } from '../../pipeline/support/zod-issues.js';

const positiveInt = z
  .number({ error: ifPresent('must be a positive integer') })
  .int('must be a positive integer')
  .positive('must be a positive integer');
const metricValue = z.number({ error: ifPresent('must be a number') });

/** Quality metrics where higher is better, so a floor makes sense. */
export const floorMetrics = [
  'ari',
  'nmi',
  'homogeneity',
  'completeness',
  'vMeasure',
  'purity',
  'reconstructionAccuracy',
  'silhouette',
] as const;
/** One of floorMetrics. */
export type FloorMetric = (typeof floorMetrics)[number];

/** `breakingPoints.qualityFloor`: the clustering stage is `degraded` at a scale whose metric falls below its floor. */
export const qualityFloorSchema = z
  .object(
    Object.fromEntries(floorMetrics.map((m) => [m, metricValue.optional()])) as Record<
      FloorMetric,
      z.ZodOptional<z.ZodNumber>
    >,
  )
  .strict();

/** `breakingPoints.bisect`: locate a break between the last passing and the first failing scale. */
export const bisectSpecSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Stop when failing/passing <= 1 + tolerance (0.05 = within 5%). */
    tolerance: z.number().gt(0, 'must be > 0').lte(1, 'must be <= 1').default(0.05),
    /** Hard cap on bisection runs per breaking point. */
    maxSteps: positiveInt.default(12),
    /** Wall-clock cap for one breaking point's bisection (a timeout costs its whole budget per run). */
    maxSeconds: z.number().positive('must be a positive number of seconds').default(900),
  })
  .strict();

/** `breakingPoints.escalate`: the `breaking-point` command's scales: start, start*factor, ... up to ceiling. */
export const escalateSpecSchema = z
  .object({
    start: positiveInt,
    factor: z.number().gt(1, 'must be > 1').default(2),
    ceiling: positiveInt,
    /** Stages of interest, as kind ("cluster") or "kind/method"; default every stage. Escalation stops once all broke. */
    stages: z.array(z.string().min(1, 'must not be empty')).optional(),
    /** Which breaking-point kinds end the escalation for a stage; default all. [oom, timeout, error] = run on past soft breaks. */
    until: z
      .array(
        z.enum(['oom', 'timeout', 'error', 'degraded', 'superlinear'], {
          error: 'must be one of oom, timeout, error, degraded, superlinear',
        }),
      )
      .min(1, 'must list at least one kind')
      .optional(),
  })
  .strict()
  .refine((e) => e.ceiling >= e.start, { message: 'ceiling must be >= start', path: ['ceiling'] });

/** The whole `breakingPoints:` key. */
export const breakingPointsSpecSchema = z
  .object({
    qualityFloor: qualityFloorSchema.optional(),
    /** Default super-linear threshold for every stage (a stage's `maxScalingExponent` overrides); absent = off. */
    maxExponent: z.number().gt(0, 'must be > 0').optional(),
    /** Local exponents are judged only when the larger scale's median wall time is at least this (noise guard). */
    minWallMs: z.number().min(0, 'must be >= 0').default(100),
    bisect: bisectSpecSchema.prefault({}),
    escalate: escalateSpecSchema.optional(),
  })
  .strict();

/** Validated `breakingPoints:` key. */
export type BreakingPointsSpec = z.infer<typeof breakingPointsSpecSchema>;
/** Validated `breakingPoints.escalate`. */
export type EscalateSpec = z.infer<typeof escalateSpecSchema>;
/** Validated `breakingPoints.qualityFloor`. */
export type QualityFloor = z.infer<typeof qualityFloorSchema>;

/** Defaults when a profile has no `breakingPoints:` key: bisection on, no floor, no exponent threshold. */
export const defaultBreakingPointsSpec: BreakingPointsSpec = breakingPointsSpecSchema.parse({});
