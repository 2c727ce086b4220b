/**
 * `npm run bench:traffic`: the gateway benchmark's harness (bench/gateway.ts) under production
 * settings — limits, budgets and the response cache on — against the minimal proxy measured in the
 * same run: throughput and latency at 1,000 req/s, a concurrency sweep, 1,000 concurrent streams,
 * `--workers 2` against one worker, and a soak with memory over time.
 *
 * Flags: --quick             a smoke run (a few minutes; the soak shortened to 30 s: do not quote)
 *        --phases a,b        any of controls, sweep, streams, workers, soak (default: all)
 *        --soak-seconds N    measured soak time after a 60 s warm-up (default 300)
 *        --soak-rate N       requests per second during the soak (default 200, 20% streamed)
 *        --streams N         concurrent streams (default 1000)
 *        --redis             share state through REDIS_URL (default redis://127.0.0.1:6379)
 *        --ref, --skip-build, --cpu-prof as for bench:gateway
 * Exits 0 once it has measured, whatever the PASS/FAIL lines say.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printProfiles } from './cpu-profile.js';
import { log } from './log.js';
import type { MeasureSettings } from './measure.js';
import { killChildrenOnExit } from './processes.js';
import { soak } from './soak.js';
import { startAll, type Stack } from './stack.js';
import { benchRoot, prepareSubject, type Subject } from './subject.js';
import { chatTargets, controlledFener, controlsPhase, streamsPhase, sweepPhase, uniqueChatBody, workersPhase } from './traffic-phases.js';
import { renderTraffic, type TrafficResults } from './traffic-report.js';

const allPhases = ['controls', 'sweep', 'streams', 'workers', 'soak'] as const;
type Phase = (typeof allPhases)[number];

interface Settings {
  quick: boolean;
  phases: Set<Phase>;
  soakSeconds: number;
  soakRate: number;
  streams: number;
  redisUrl: string | undefined;
  ref: string | undefined;
  skipBuild: boolean;
  cpuProfileDir: string | undefined;
  measure: MeasureSettings;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      phases: { type: 'string' },
      'soak-seconds': { type: 'string' },
      'soak-rate': { type: 'string' },
      streams: { type: 'string' },
      redis: { type: 'boolean', default: false },
      ref: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true;
  const phases = (values.phases ?? allPhases.join(',')).split(',').map((phase) => phase.trim());
  const unknown = phases.filter((phase) => !(allPhases as readonly string[]).includes(phase));
  if (unknown.length > 0) throw new Error(`--phases: unknown ${unknown.join(', ')} (known: ${allPhases.join(', ')})`);
  const positive = (text: string | undefined, fallback: number, flag: string): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag}: expected a positive whole number, got ${text}`);
    return value;
  };
  return {
    quick,
    phases: new Set(phases as Phase[]),
    soakSeconds: positive(values['soak-seconds'], quick ? 30 : 300, '--soak-seconds'),
    soakRate: positive(values['soak-rate'], 200, '--soak-rate'),
    streams: positive(values.streams, 1_000, '--streams'),
    redisUrl: values.redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined,
    ref: values.ref,
    skipBuild: values['skip-build'] === true,
    cpuProfileDir: values['cpu-prof'] ? join(benchRoot, 'bench/results', `cpu-profile-${Date.now()}`) : undefined,
    measure: {
      connections: 50,
      rates: [1_000],
      rounds: quick ? 1 : 3,
      warmupRequests: quick ? 1_000 : 5_000,
      maxSeconds: quick ? 1 : 3,
      rateSeconds: quick ? 3 : 5,
      ttfbSamples: 0,
      ttfbWarmup: 0,
    },
  };
}

async function runPhases(settings: Settings, subject: Subject, stack: Stack, results: TrafficResults): Promise<void> {
  const { phases } = settings;
  if (phases.has('controls')) results.controls = await controlsPhase(stack, settings.measure, 1_000);
  if (phases.has('sweep')) results.sweep = await sweepPhase(stack, [1, 10, 50, 200, 500, 1_000], settings.quick ? 1 : 2);
  if (phases.has('streams')) results.streams = await streamsPhase(stack, settings.streams);
  if (phases.has('workers')) {
    log('one worker against two: starting two more Fener servers');
    results.workers = await workersPhase(subject.launch, stack.mock.url, settings.measure);
  }
  if (phases.has('soak')) {
    const plain = chatTargets(stack, uniqueChatBody, true).fener;
    const streamed = chatTargets(stack, { ...uniqueChatBody, stream: true }, true).fener;
    results.soak = await soak(
      { pid: stack.fener.child.pid, origin: stack.fener.url },
      { plain, streamed },
      {
        rate: settings.soakRate,
        streamShare: 0.2,
        warmupSeconds: settings.quick ? 10 : 60,
        seconds: settings.soakSeconds,
        sampleSeconds: 5,
      },
    );
  }
}

async function main(): Promise<void> {
  killChildrenOnExit();
  const settings = readSettings();
  const subject = await prepareSubject(settings);
  const results: TrafficResults = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      commit: subject.commit,
      quick: settings.quick,
      redis: settings.redisUrl !== undefined,
    },
  };
  try {
    log('starting the mock provider, the minimal proxy and Fener (limits, budget and cache on)');
    const env = settings.redisUrl === undefined ? {} : { REDIS_URL: settings.redisUrl };
    const stack = await startAll({
      launch: subject.launch,
      benchRoot,
      cpuProfileDir: settings.cpuProfileDir,
      fener: { ...controlledFener, env },
    });
    try {
      await runPhases(settings, subject, stack, results);
    } finally {
      await stack.stop();
    }
    process.stdout.write(renderTraffic(results));
    const directory = join(benchRoot, 'bench/results');
    mkdirSync(directory, { recursive: true });
    const path = join(directory, `traffic-${results.meta.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${path}`);
    if (settings.cpuProfileDir) printProfiles(settings.cpuProfileDir);
  } finally {
    subject.cleanup();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
