/**
 * `npm run bench:experiment`: a 10,000-item experiment against the mock provider (in-process,
 * loopback HTTP), run through Fener's gateway in this process with the runner's bounded
 * concurrency, per-item scoring (exact_match, token_f1, rouge) and per-item persistence on
 * SQLite. Measures items/s and the peak RSS (limit 300 MB), and — in the same run, at the same
 * concurrency — the baseline: the same 10,000 calls straight into the gateway, no experiment
 * machinery (measured first). Flags: --items N (default 10000), --concurrency N (default 16).
 * Exits 1 when the peak RSS reaches the limit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { configSchema, newId } from '../src/core/index.js';
import { GatewayEvalClient, JsonlItemSource, parseExperiment, runExperiment } from '../src/evals/index.js';
import { startMockProvider } from '../src/mock/index.js';
import { startServer } from '../src/server/index.js';

const limitMb = 300;

function settings(): { items: number; concurrency: number } {
  const { values } = parseArgs({
    options: { items: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '16' } },
  });
  return { items: Number(values.items), concurrency: Number(values.concurrency) };
}

/** Samples RSS every 20 ms (and reads the kernel's high-water mark at the end). */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

const words = ['the', 'model', 'answers', 'questions', 'about', 'cities', 'rivers', 'and', 'mountains', 'quickly', 'with', 'care'];
function sentence(seed: number, length: number): string {
  return Array.from({ length }, (_, index) => words[(seed * 7 + index * 13) % words.length]).join(' ');
}

async function main(): Promise<void> {
  const { items, concurrency } = settings();
  const dir = mkdtempSync(join(tmpdir(), 'fener-bench-experiment-'));
  const mock = await startMockProvider({ port: 0, seed: 3, outputTokens: 20 });
  const config = configSchema.parse({
    data_dir: dir,
    log_level: 'silent',
    server: { port: 0 },
    providers: [{ id: 'mock', type: 'openai-compatible', base_url: `${mock.url}/v1` }],
    models: [{ name: 'small', provider: 'mock', upstream_model: 'gpt-4o-mini', price: { input_per_mtok: 0.15, output_per_mtok: 0.6 } }],
  });
  const server = await startServer({
    config,
    logger: pino({ level: 'silent' }),
    listen: false,
    processMetrics: false,
    env: { FENER_ADMIN_KEY: 'sk-fener-admin-bench' },
  });
  const principal = await server.context.authenticator.authenticate('Bearer sk-fener-admin-bench');
  const file = join(dir, 'items.jsonl');
  const lines: string[] = [];
  for (let index = 0; index < items; index++) {
    lines.push(
      JSON.stringify({
        id: `item-${index}`,
        input: { messages: [{ role: 'user', content: sentence(index, 20) }] },
        expected: sentence(index + 1, 20),
      }),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  lines.length = 0;
  const client = new GatewayEvalClient(server.context.runtime.gateway, principal);
  try {
    // Baseline first (it also warms the JIT for both): the same calls straight into the gateway, same concurrency.
    const baselineStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < items) {
          const index = next++;
          await client.complete({
            model: 'small',
            messages: [{ role: 'user', content: sentence(index, 20) }],
            parameters: { max_tokens: 20 },
            metadata: { bench: newId('req') },
          });
        }
      }),
    );
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    global.gc?.();
    const baseRss = process.memoryUsage.rss();
    const sampler = rssSampler();
    const started = performance.now();
    const definition = parseExperiment({
      name: 'bench',
      dataset: { file },
      variants: [{ model: 'small', parameters: { max_tokens: 20 } }],
      metrics: ['exact_match', 'token_f1', { metric: 'rouge', options: { rouge_types: ['rougeL'] } }],
      concurrency,
      seed: 1,
    });
    const outcome = await runExperiment({
      store: server.context.store,
      client,
      definition,
      source: () => new JsonlItemSource(file),
      actor: 'bench',
    });
    const seconds = (performance.now() - started) / 1000;
    const peak = sampler.stop();
    const variant = outcome.summary.variants[0]!;

    const rate = items / seconds;
    const baselineRate = items / baselineSeconds;
    const peakMb = peak / 1024 / 1024;
    process.stdout.write(
      [
        `# bench:experiment — ${items} items, concurrency ${concurrency}, mock provider on loopback, SQLite`,
        '',
        '| measure | value |',
        '| --- | ---: |',
        `| experiment items/s (calls + scoring + per-item writes) | ${rate.toFixed(0)} |`,
        `| baseline items/s (the same calls into the gateway, nothing else) | ${baselineRate.toFixed(0)} |`,
        `| ratio experiment / baseline | ${(rate / baselineRate).toFixed(2)} |`,
        `| peak RSS during the experiment | ${peakMb.toFixed(0)} MB (limit ${limitMb} MB; ${(baseRss / 1024 / 1024).toFixed(0)} MB before it) |`,
        `| items stored / errors | ${variant.items} / ${variant.errors} |`,
        `| rougeL_fmeasure mean [95% CI] | ${variant.scores.rougeL_fmeasure?.mean.toFixed(4)} [${variant.scores.rougeL_fmeasure?.low.toFixed(4)}, ${variant.scores.rougeL_fmeasure?.high.toFixed(4)}] |`,
        '',
        peakMb < limitMb
          ? `PASS peak RSS ${peakMb.toFixed(0)} MB < ${limitMb} MB`
          : `FAIL peak RSS ${peakMb.toFixed(0)} MB >= ${limitMb} MB`,
        '',
      ].join('\n'),
    );
    if (peakMb >= limitMb || variant.items !== items) process.exitCode = 1;
  } finally {
    await server.close();
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
