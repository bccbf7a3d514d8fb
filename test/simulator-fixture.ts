/** Tests' access to a real simulator on 127.0.0.1 with near-zero latency unless a test asks for more. */
import { parseSimulatorConfig } from '../harness/api-simulator/simulator-config.js';
import { startSimulator, type RunningSimulator } from '../harness/api-simulator/simulator-server.js';

/** Latencies small enough that tests measure behaviour, not waiting; `raw` overrides them. */
export const fastSimulator = { ttft: 'fixed:2', tokensPerSec: 20_000, embeddingLatency: 'fixed:1' };

/** Start a simulator with `raw` config over fastSimulator, run `fn`, and always close it. */
export async function withSim<T>(raw: Record<string, unknown>, fn: (sim: RunningSimulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator(parseSimulatorConfig({ ...fastSimulator, ...raw }));
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}
