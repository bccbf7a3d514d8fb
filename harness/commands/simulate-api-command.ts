/**
 * `clusterbench simulate-api`: run the OpenAI-compatible simulator until interrupted. Settings come from a YAML
 * file (--config) and flags, flags winning. Point any OpenAI client at the printed base URL.
 */
import type { Command } from 'commander';
import { parseDistributionText, parseSimulatorConfig, readSimulatorConfigFile, type SimulatorConfig } from '../api-simulator/simulator-config.js';
import { startSimulator, type RunningSimulator } from '../api-simulator/simulator-server.js';

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
  if (!Number.isFinite(n)) throw new Error(`--${flag}: "${v}" is not a number`);
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
      throw new Error(`--${flag}: ${(e as Error).message}`);
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
  for (const [k, flag, v] of [['rpm', 'rpm', o.rpm], ['tpm', 'tpm', o.tpm], ['burstSeconds', 'burst-seconds', o.burstSeconds]] as const) {
    const n = num(flag, v);
    if (n !== undefined) rl[k] = n;
  }
  raw.rateLimits = rl;
  const f = { ...((raw.faults as Record<string, unknown>) ?? {}) };
  for (const [k, flag, v] of [['error500', 'fault-500', o.fault500], ['error503', 'fault-503', o.fault503], ['timeout', 'fault-timeout', o.faultTimeout], ['reset', 'fault-reset', o.faultReset], ['malformed', 'fault-malformed', o.faultMalformed]] as const) {
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

export function registerSimulateApiCommand(program: Command): void {
  program
    .command('simulate-api')
    .description('run the OpenAI-compatible simulator (chat completions, embeddings, models, /stats) on 127.0.0.1 until Ctrl-C')
    .option('-c, --config <file.yaml>', 'YAML file with simulator settings (flags override it)')
    .option('--port <n>', 'port, 0 = a free port (default 0)')
    .option('--host <addr>', 'address to bind (default 127.0.0.1)')
    .option('--seed <n>', 'seed for latencies, faults and content')
    .option('--ttft <dist>', 'time to first token: fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:P95 (default lognormal:250:800)')
    .option('--tokens-per-sec <n>', 'generation speed after the first token (default 80)')
    .option('--embedding-latency <dist>', 'embeddings latency distribution (default lognormal:60:200)')
    .option('--rpm <n>', 'requests per minute per model, 0 = unlimited')
    .option('--tpm <n>', 'tokens per minute per model, 0 = unlimited')
    .option('--burst-seconds <s>', 'bucket capacity in seconds of the per-minute rate (default 1)')
    .option('--fault-500 <rate>', 'probability of a 500 per attempt')
    .option('--fault-503 <rate>', 'probability of a 503 per attempt')
    .option('--fault-timeout <rate>', 'probability of never answering')
    .option('--fault-reset <rate>', 'probability of a connection reset')
    .option('--fault-malformed <rate>', 'probability of a malformed JSON body / SSE event')
    .option('--reject-pattern <regex>', 'answer a non-retryable 400 to requests whose text matches')
    .option('--ignore-encoding-format', 'always return float embeddings, like some compatible servers')
    .action(async (o: SimulateApiOptions) => {
      const sim = await simulateApiCommand(o);
      process.stdout.write(`clusterbench simulator listening: OPENAI_BASE_URL=${sim.baseURL} (stats: ${sim.url}/stats); Ctrl-C to stop\n`);
      await new Promise<void>((resolveStop) => {
        const stop = (): void => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      const s = sim.stats();
      await sim.close();
      process.stdout.write(`${JSON.stringify(s, null, 1)}\n`);
    });
}
