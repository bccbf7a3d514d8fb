/**
 * `clusterbench simulate-api`: run the OpenAI-compatible simulator until interrupted. Settings come from a YAML
 * file (--config) and flags, flags winning. Point any OpenAI client at the printed base URL.
 */
import {
  parseDistributionText,
  parseSimulatorConfig,
  readSimulatorConfigFile,
  type SimulatorConfig,
} from '../api-simulator/simulator-config.js';
import { startSimulator, type RunningSimulator } from '../api-simulator/simulator-server.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Options of the simulate-api command (strings as commander gives them). */
export interface SimulateApiOptions {
  config?: string;
  port?: string;
  host?: string;
  seed?: string;
  ttft?: string;
  tokensPerSec?: string;
  embeddingLatency?: string;
  rpm?: string;
  tpm?: string;
  burstSeconds?: string;
  fault500?: string;
  fault503?: string;
  faultTimeout?: string;
  faultReset?: string;
  faultMalformed?: string;
  rejectPattern?: string;
  ignoreEncodingFormat?: boolean;
}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UserError(`--${flag}: "${v}" is not a number`);
  return n;
}

/** Merge a config file and flags into a validated simulator config. */
export function simulatorConfigFromOptions(o: SimulateApiOptions): SimulatorConfig {
  const raw: Record<string, unknown> = o.config ? readSimulatorConfigFile(o.config) : {};
  const set = (key: string, v: unknown): void => void (v !== undefined && (raw[key] = v));
  const dist = (flag: string, v: string | undefined): unknown => {
    if (v === undefined) return undefined;
    try {
      return parseDistributionText(v);
    } catch (e) {
      throw new UserError(`--${flag}: ${(e as Error).message}`);
    }
  };
  set('port', num('port', o.port));
  set('host', o.host);
  set('seed', num('seed', o.seed));
  set('ttft', dist('ttft', o.ttft));
  set('tokensPerSec', num('tokens-per-sec', o.tokensPerSec));
  set('embeddingLatency', dist('embedding-latency', o.embeddingLatency));
  if (o.ignoreEncodingFormat) raw.ignoreEncodingFormat = true;
  const rl = { ...((raw.rateLimits as Record<string, unknown>) ?? {}) };
  for (const [k, flag, v] of [
    ['rpm', 'rpm', o.rpm],
    ['tpm', 'tpm', o.tpm],
    ['burstSeconds', 'burst-seconds', o.burstSeconds],
  ] as const) {
    const n = num(flag, v);
    if (n !== undefined) rl[k] = n;
  }
  raw.rateLimits = rl;
  const f = { ...((raw.faults as Record<string, unknown>) ?? {}) };
  for (const [k, flag, v] of [
    ['error500', 'fault-500', o.fault500],
    ['error503', 'fault-503', o.fault503],
    ['timeout', 'fault-timeout', o.faultTimeout],
    ['reset', 'fault-reset', o.faultReset],
    ['malformed', 'fault-malformed', o.faultMalformed],
  ] as const) {
    const n = num(flag, v);
    if (n !== undefined) f[k] = n;
  }
  if (o.rejectPattern !== undefined) f.rejectPattern = o.rejectPattern;
  raw.faults = f;
  return parseSimulatorConfig(raw, o.config ?? 'simulate-api');
}

/** Start the simulator from CLI options. */
export async function simulateApiCommand(o: SimulateApiOptions): Promise<RunningSimulator> {
  return startSimulator(simulatorConfigFromOptions(o));
}
