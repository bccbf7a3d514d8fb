/** Flags and help of `clusterbench simulate-api`; the work is in simulate-api-command.ts, imported when it runs. */
import type { Command } from 'commander';
import type { SimulateApiOptions } from './simulate-api-command.js';

export function registerSimulateApiCommand(program: Command): void {
  program
    .command('simulate-api')
    .description(
      'run the OpenAI-compatible simulator (chat completions, embeddings, models, /stats) on 127.0.0.1 until Ctrl-C',
    )
    .option('-c, --config <file.yaml>', 'YAML file with simulator settings (flags override it)')
    .option('--port <n>', 'port, 0 = a free port (default 0)')
    .option('--host <addr>', 'address to bind (default 127.0.0.1)')
    .option('--seed <n>', 'seed for latencies, faults and content')
    .option(
      '--ttft <dist>',
      'time to first token: fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:P95 (default lognormal:250:800)',
    )
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
      const { simulateApiCommand } = await import('./simulate-api-command.js');
      const sim = await simulateApiCommand(o);
      process.stdout.write(
        `clusterbench simulator listening: OPENAI_BASE_URL=${sim.baseURL} (stats: ${sim.url}/stats); Ctrl-C to stop\n`,
      );
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
