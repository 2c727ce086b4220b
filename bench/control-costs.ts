/**
 * What each traffic control costs: CPU time of the Fener process per request, with nothing on,
 * with each control alone, and with all of them (the bench:traffic settings). The figure that
 * matters on a shared machine: CPU per request hardly moves with the rest of the machine's load.
 *
 *   node --import tsx bench/control-costs.ts [--requests N] [--rounds N] [--ref <git-ref>] [--skip-build]
 *        [--only <text>]   only the variants whose name contains <text> (e.g. `--only nothing`)
 *        [--cpu-prof]      write a CPU profile of each Fener process and summarise it (slows Fener)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printProfiles } from './cpu-profile.js';
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

interface Running {
  variant: Variant;
  fener: Awaited<ReturnType<typeof startFener>>;
  cpuPerRequest: number[];
  rates: number[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? NaN;

/** One round of one variant: CPU time of its process over the 2xx responses. */
async function measureRound(running: Running, requests: number): Promise<void> {
  const { fener } = running;
  const target = {
    url: `${fener.url}/v1/chat/completions`,
    headers: { authorization: `Bearer ${fener.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(uniqueChatBody),
    uniqueIds: true,
  };
  const before = cpuMillis(fener.child.pid) ?? 0;
  const round = await maxThroughput(target, { connections: 50, requests });
  const cpu = (cpuMillis(fener.child.pid) ?? 0) - before;
  running.cpuPerRequest.push((cpu * 1000) / Math.max(1, round.latencies.length));
  running.rates.push(round.requestsPerSecond);
}

async function main(): Promise<void> {
  killChildrenOnExit();
  const { values } = parseArgs({
    options: {
      requests: { type: 'string' },
      rounds: { type: 'string' },
      ref: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const chosen = variants.filter((variant) => values.only === undefined || variant.name.includes(values.only));
  if (chosen.length === 0) throw new Error(`--only ${values.only}: no variant is named so (${variants.map((v) => v.name).join(', ')})`);
  const cpuProfileDir = values['cpu-prof'] ? join(process.cwd(), 'bench/results', `control-costs-profile-${Date.now()}`) : undefined;
  const requests = Number(values.requests ?? 6_000);
  const rounds = Number(values.rounds ?? 3);
  const subject = await prepareSubject({ ref: values.ref, skipBuild: values['skip-build'] === true });
  const mock = await startMockProvider(subject.launch);
  const running: Running[] = [];
  try {
    for (const variant of chosen) {
      const profiling = cpuProfileDir ? { cpuProfileDir: join(cpuProfileDir, variant.name.replace(/\W+/g, '-')) } : {};
      const fener = await startFener({ ...variant.fener, ...profiling, launch: subject.launch, upstream: mock.url, name: variant.name });
      running.push({ variant, fener, cpuPerRequest: [], rates: [] });
    }
    // A warm-up round, then rounds in a rotating order so that a noisy stretch falls on all alike.
    for (const each of running) await measureRound(each, 3_000);
    for (const each of running) each.cpuPerRequest.length = each.rates.length = 0;
    for (let round = 0; round < rounds; round++) {
      for (let index = 0; index < running.length; index++) {
        const each = running[(index + round) % running.length] as Running;
        await measureRound(each, requests);
        log(`${each.variant.name}: ${each.cpuPerRequest.at(-1)?.toFixed(0)} µs CPU/request, ${each.rates.at(-1)?.toFixed(0)} req/s`);
      }
    }
  } finally {
    await Promise.all(running.map((each) => each.fener.stop()));
    await mock.child.stop();
    subject.cleanup();
  }
  if (cpuProfileDir) for (const variant of chosen) printProfiles(join(cpuProfileDir, variant.name.replace(/\W+/g, '-')));
  const rows = running.map(
    (each) => `| ${each.variant.name} | ${median(each.cpuPerRequest).toFixed(0)} | ${median(each.rates).toFixed(0)} |`,
  );
  process.stdout.write(
    [
      `Median of ${rounds} rounds of ${requests} requests (50 connections).`,
      '',
      '| Fener with | CPU µs / request | req/s |',
      '| --- | ---: | ---: |',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
