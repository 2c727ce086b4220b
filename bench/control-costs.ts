/**
 * What each traffic control costs: CPU time of the Fener process per request, with nothing on,
 * with each control alone, and with all of them (the bench:traffic settings). The figure that
 * matters on a shared machine: CPU per request hardly moves with the rest of the machine's load.
 *
 *   node --import tsx bench/control-costs.ts [--requests N] [--skip-build]
 */
import { parseArgs } from 'node:util';
import { maxThroughput } from './load.js';
import { log } from './log.js';
import { cpuMillis } from './proc-stats.js';
import { killChildrenOnExit } from './processes.js';
import { prepareSubject } from './subject.js';
import { startFener, startMockProvider, type FenerOptions } from './targets.js';
import { controlledFener, uniqueChatBody } from './traffic-phases.js';

type Variant = { name: string; fener: Omit<FenerOptions, 'launch' | 'upstream'> };

const cacheYaml = controlledFener.extraYaml ?? '';
const variants: Variant[] = [
  { name: 'nothing on', fener: {} },
  { name: 'rate limits (RPM, TPM)', fener: { key: { limits: { rpm: 100_000_000, tpm: 10_000_000_000 } } } },
  { name: 'daily budget', fener: { key: { budget: { usd: 1_000_000, period: 'day' } } } },
  { name: 'exact cache (miss + store)', fener: { extraYaml: cacheYaml } },
  { name: 'all (bench:traffic)', fener: controlledFener },
];

async function main(): Promise<void> {
  killChildrenOnExit();
  const { values } = parseArgs({ options: { requests: { type: 'string' }, 'skip-build': { type: 'boolean', default: false } } });
  const requests = Number(values.requests ?? 6_000);
  const subject = await prepareSubject({ ref: undefined, skipBuild: values['skip-build'] === true });
  const mock = await startMockProvider(subject.launch);
  const rows: string[] = [];
  try {
    for (const variant of variants) {
      const fener = await startFener({ ...variant.fener, launch: subject.launch, upstream: mock.url, name: variant.name });
      try {
        const target = {
          url: `${fener.url}/v1/chat/completions`,
          headers: { authorization: `Bearer ${fener.key}`, 'content-type': 'application/json' },
          body: JSON.stringify(uniqueChatBody),
          uniqueIds: true,
        };
        await maxThroughput(target, { connections: 50, requests: 3_000 });
        const pid = fener.child.pid;
        const before = cpuMillis(pid) ?? 0;
        const round = await maxThroughput(target, { connections: 50, requests });
        const cpu = (cpuMillis(pid) ?? 0) - before;
        const perRequest = (cpu * 1000) / round.latencies.length;
        log(`${variant.name}: ${perRequest.toFixed(0)} µs CPU/request, ${round.requestsPerSecond.toFixed(0)} req/s`);
        rows.push(`| ${variant.name} | ${perRequest.toFixed(0)} | ${round.requestsPerSecond.toFixed(0)} |`);
      } finally {
        await fener.stop();
      }
    }
  } finally {
    await mock.child.stop();
    subject.cleanup();
  }
  process.stdout.write(['| Fener with | CPU µs / request | req/s (50 connections) |', '| --- | ---: | ---: |', ...rows, ''].join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
