/**
 * Profile keys of a command stage (issue 12): a stage of any kind with a `command:` key runs that executable once
 * per cell instead of a built-in method; `method` is then the name reports show (e.g. `cluster/sklearn-kmeans`).
 * Spread into the stage entry's zod object in profile-schema.ts; checked further in user-stage-resolution.ts.
 */
import { z } from 'zod/v4';
import { ifPresent } from '../../pipeline/support/zod-issues.js';
import type { PipelineField } from '../../pipeline/contracts.js';
import { STAGE_FIELD_NAMES } from '../../pipeline/pipeline-fields.js';

// zod wants a non-empty tuple; the field table (pipeline/pipeline-fields.ts) is never empty.
const FIELDS = STAGE_FIELD_NAMES as [PipelineField, ...PipelineField[]];

const fieldList = z.array(z.enum(FIELDS, { error: `must be one of ${FIELDS.join(', ')}` }));

/** The keys a stage entry gains. Only `command` makes it a command stage; the others refine one. */
export const commandStageFields = {
  /** argv, e.g. [python3, ./cluster.py, --k, "{k}"]; `{name}` is replaced by the option `name` or by seed, n, scale, repeat, manifest, workdir. */
  command: z
    .array(z.union([z.string(), z.number()]).transform(String), {
      error: ifPresent('must be a list: [program, arg, ...]'),
    })
    .min(1, 'must name a program')
    .optional(),
  /** Fields written to files for the command (default: what the built-in stages of this kind read). */
  reads: fieldList.optional(),
  /** Fields read back from the command's output files (default: what this kind writes). */
  writes: fieldList.min(1, 'must list at least one field').optional(),
  /** Working directory of the command, relative to the profile file (default: the profile's folder). */
  cwd: z.string().min(1, 'must not be empty').optional(),
  /** Extra environment variables for the command. */
  env: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional(),
  /** File formats: npy (default: .npy matrices and vectors, JSONL text, JSON for hierarchy/clusterInfo) or arrow (one Arrow IPC file each way). */
  format: z.enum(['npy', 'arrow'], { error: 'must be npy or arrow' }).optional(),
  /** The command calls an OpenAI-compatible API: with `api: simulated` it gets OPENAI_BASE_URL/OPENAI_API_KEY of the simulator. */
  usesApi: z.boolean({ error: ifPresent('must be true or false') }).optional(),
};

/** The command-stage keys of a validated stage entry. */
export interface CommandStageKeys {
  command?: string[];
  reads?: PipelineField[];
  writes?: PipelineField[];
  cwd?: string;
  env?: Record<string, string>;
  format?: 'npy' | 'arrow';
  usesApi?: boolean;
}
