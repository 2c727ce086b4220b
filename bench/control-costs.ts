/**
 * What each traffic control costs: CPU time of the Fener process per request, with nothing on,
 * with each control alone, and with all of them (the bench:traffic settings). The figure that
 * matters on a shared machine: CPU per request hardly moves with the rest of the machine's load.
 * Two baselines are measured alike in the same rounds: the minimal proxy, and the framework floor
 * (Fastify + undici doing only JSON in, JSON upstream, JSON out), so that what Fener spends beyond
 * its own stack shows apart from what the stack itself costs.
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
import { startFener, startFrameworkFloor, startMinimalProxy, startMockProvider, type FenerOptions, type RunningTarget } from './targets.js';
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

const frameworkFloor = 'baseline: framework floor (Fastify + undici)';
const baselines = [
  { name: 'baseline: minimal proxy', start: startMinimalProxy },
  { name: frameworkFloor, start: startFrameworkFloor },
];

/** One process measured: a Fener variant or a baseline. */
interface Running {
  name: string;
  server: RunningTarget & { stop(): Promise<void> };
  /** The benchmark key's `Authorization` header (Fener only). */
  authorization?: string;
  cpuPerRequest: number[];
  rates: number[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? NaN;

/** One round of one variant: CPU time of its process over the 2xx responses. */
async function measureRound(running: Running, requests: number): Promise<void> {
  const { server } = running;
  const target = {
    url: `${server.url}/v1/chat/completions`,
    headers: { ...(running.authorization ? { authorization: running.authorization } : {}), 'content-type': 'application/json' },
    body: JSON.stringify(uniqueChatBody),
    uniqueIds: true,
  };
  const before = cpuMillis(server.child.pid) ?? 0;
  const round = await maxThroughput(target, { connections: 50, requests });
  const cpu = (cpuMillis(server.child.pid) ?? 0) - before;
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
  const picked = (name: string): boolean => values.only === undefined || name.includes(values.only);
  const chosen = variants.filter((variant) => picked(variant.name));
  const chosenBaselines = baselines.filter((baseline) => picked(baseline.name));
  if (chosen.length + chosenBaselines.length === 0) {
    const names = [...variants, ...baselines].map((entry) => entry.name).join(', ');
    throw new Error(`--only ${values.only}: nothing is named so (${names})`);
  }
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
      running.push({ name: variant.name, server: fener, authorization: `Bearer ${fener.key}`, cpuPerRequest: [], rates: [] });
    }
    for (const baseline of chosenBaselines) {
      const started = await baseline.start(subject.launch.root, mock.url);
      running.push({ name: baseline.name, server: { ...started, stop: () => started.child.stop() }, cpuPerRequest: [], rates: [] });
    }
    // A warm-up round, then rounds in a rotating order so that a noisy stretch falls on all alike.
    for (const each of running) await measureRound(each, 3_000);
    for (const each of running) each.cpuPerRequest.length = each.rates.length = 0;
    for (let round = 0; round < rounds; round++) {
      for (let index = 0; index < running.length; index++) {
        const each = running[(index + round) % running.length] as Running;
        await measureRound(each, requests);
        log(`${each.name}: ${each.cpuPerRequest.at(-1)?.toFixed(0)} µs CPU/request, ${each.rates.at(-1)?.toFixed(0)} req/s`);
      }
    }
  } finally {
    await Promise.all(running.map((each) => each.server.stop()));
    await mock.child.stop();
    subject.cleanup();
  }
  if (cpuProfileDir) for (const variant of chosen) printProfiles(join(cpuProfileDir, variant.name.replace(/\W+/g, '-')));
  // What a process spends beyond the framework floor: for Fener, its own per-call work.
  const floor = running.find((each) => each.name === frameworkFloor);
  const floorCpu = floor ? median(floor.cpuPerRequest) : undefined;
  const rows = running.map((each) => {
    const cpu = median(each.cpuPerRequest);
    const above = floorCpu === undefined || each === floor ? '' : ` ${(cpu - floorCpu).toFixed(0)} |`;
    return `| ${each.name} | ${cpu.toFixed(0)} | ${median(each.rates).toFixed(0)} |${above || (floorCpu === undefined ? '' : ' |')}`;
  });
  process.stdout.write(
    [
      `Median of ${rounds} rounds of ${requests} requests (50 connections).`,
      '',
      floorCpu === undefined ? '| process | CPU µs / request | req/s |' : '| process | CPU µs / request | req/s | above the floor |',
      floorCpu === undefined ? '| --- | ---: | ---: |' : '| --- | ---: | ---: | ---: |',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
