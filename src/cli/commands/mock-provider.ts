import type { Command } from 'commander';
import { parseMockProviderArgs, startMockProvider } from '../../mock/index.js';

const help = `
Simulates an upstream that speaks the OpenAI and Anthropic wire formats, for tests, benchmarks
and offline demos. Options (all optional):
  --host <host>               default 127.0.0.1
  --port <port>               default 4100 (0: a free port chosen by the system)
  --seed <n>                  same seed + same request => same answer and same failures
  --latency-ms <ms>           delay before a non-streamed answer
  --ttft-ms <ms>              delay before the first streamed token
  --tokens-per-second <n>     stream pacing (0: as fast as possible)
  --output-tokens <n>         answer length in tokens (capped by max_tokens)
  --error-rate <0..1>         answer --error-status (default 500) this often
  --error-status <code>
  --timeout-rate <0..1>       never answer
  --reset-rate <0..1>         close the connection without answering
  --cut-stream-rate <0..1>    cut streams after --cut-after-tokens tokens
  --cut-after-tokens <n>
  --malformed-rate <0..1>     answer invalid JSON
  --retry-after <seconds>     Retry-After sent with 429 and 503
Per request: header x-mock-fail: <status>|timeout|reset|cut|malformed. At run time:
POST /_mock/config with the same option names (camelCase) as JSON; GET /_mock/stats.`;

export function registerMockProviderCommand(program: Command): void {
  program
    .command('mock-provider')
    .description('run a simulated OpenAI/Anthropic upstream with failure injection')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption('-h, --help')
    .addHelpText('after', help)
    .action(async (_options: unknown, command: Command) => {
      const provider = await startMockProvider(parseMockProviderArgs(command.args));
      process.stderr.write(`mock provider listening on ${provider.url} (OpenAI: ${provider.url}/v1, Anthropic: ${provider.url})\n`);
      const stop = (): void => void provider.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
