/**
 * `npm run bench:tail`: where Fener's p99 at a fixed rate comes from. The mock, the minimal proxy
 * and Fener under bench:traffic's settings (limits, budget, cache) take turns at `--rate` req/s;
 * Fener runs with `--trace-gc`, and the collections that happened during its own rounds are
 * counted: how often the young generation is scavenged and for how long, and how many full
 * mark-compacts ran. `--trace-gc` itself costs a little; compare runs of this bench with each other.
 *
 *   node --import tsx bench/tail.ts [--rate 1000] [--seconds 15] [--rounds 2] [--ref <git-ref>] [--skip-build]
 *        [--node-flags=--max-semi-space-size=32]   try V8 settings on the Fener process (note the `=`)
 */
import { parseArgs } from 'node:util';
import { fixedRate, type HttpTarget } from './load.js';
import { summarize } from './latency-stats.js';
import { log } from './log.js';
import { killChildrenOnExit } from './processes.js';
import { prepareSubject } from './subject.js';
import { startFener, startMinimalProxy, startMockProvider } from './targets.js';
import { controlledFener, uniqueChatBody } from './traffic-phases.js';

/** `[pid:0x…]   1234 ms: Scavenge 65.7 (70.0) -> 64.2 (74.2) MB, 1.88 / 0.00 ms  (…)` */
const gcLine = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: (Scavenge|Mark-Compact|Minor Mark-Compact)\b.*? MB, ([\d.]+) \/ ([\d.]+) ms/;

interface GcEvent {
  kind: string;
  pauseMs: number;
}

const targets = ['direct', 'proxy', 'fener'] as const;
type TargetName = (typeof targets)[number];

async function main(): Promise<void> {
  killChildrenOnExit();
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '15' },
      rounds: { type: 'string', default: '2' },
      ref: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
      'node-flags': { type: 'string', default: '' },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const subject = await prepareSubject({ ref: values.ref, skipBuild: values['skip-build'] === true });
  const mock = await startMockProvider(subject.launch);
  // Collections are kept only while Fener's own round runs; the main isolate is the first one seen.
  let counting = false;
  let mainIsolate: string | undefined;
  const events: GcEvent[] = [];
  const fener = await startFener({
    ...controlledFener,
    launch: subject.launch,
    upstream: mock.url,
    nodeFlags: ['--trace-gc', ...values['node-flags'].split(' ').filter(Boolean)],
    onOutputLine: (line) => {
      const match = gcLine.exec(line);
      if (!match) return;
      mainIsolate ??= match[1];
      if (counting && match[1] === mainIsolate) events.push({ kind: match[2] as string, pauseMs: Number(match[3]) });
    },
  });
  const proxy = await startMinimalProxy(subject.launch.root, mock.url);
  const body = JSON.stringify(uniqueChatBody);
  const at = (origin: string, key?: string): HttpTarget => ({
    url: `${origin}/v1/chat/completions`,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
    body,
    uniqueIds: true,
  });
  const byName: Record<TargetName, HttpTarget> = { direct: at(mock.url), proxy: at(proxy.url), fener: at(fener.url, fener.key) };
  const latencies: Record<TargetName, number[]> = { direct: [], proxy: [], fener: [] };
  let fenerSeconds = 0;
  try {
    log(`warm-up: Fener at ${rate} req/s for 5 s`);
    await fixedRate(byName.fener, { rate, durationSeconds: 5 });
    for (let round = 0; round < rounds; round++) {
      for (const name of targets) {
        counting = name === 'fener';
        const result = await fixedRate(byName[name], { rate, durationSeconds: seconds });
        counting = false;
        if (name === 'fener') fenerSeconds += result.durationSeconds;
        latencies[name].push(...result.latencies);
        log(`round ${round + 1}, ${name}: ${result.requestsPerSecond.toFixed(0)} req/s`);
      }
    }
  } finally {
    await fener.stop();
    await proxy.child.stop();
    await mock.child.stop();
    subject.cleanup();
  }
  process.stdout.write(report({ rate, latencies, events, fenerSeconds, launch: subject.launchText, nodeFlags: values['node-flags'] }));
}

function report(input: {
  rate: number;
  latencies: Record<TargetName, number[]>;
  events: GcEvent[];
  fenerSeconds: number;
  launch: string;
  nodeFlags: string;
}): string {
  const direct = summarize(input.latencies.direct);
  const rows = targets.map((name) => {
    const summary = summarize(input.latencies[name]);
    const added = name === 'direct' ? '' : ` +${(summary.p50 - direct.p50).toFixed(2)} / +${(summary.p99 - direct.p99).toFixed(2)} |`;
    const cells = [summary.count, summary.p50, summary.p90, summary.p99, summary.max].map((value, index) =>
      index === 0 ? String(value) : value.toFixed(2),
    );
    return `| ${name} | ${cells.join(' | ')} |${added || ' |'}`;
  });
  const gcRows = ['Scavenge', 'Minor Mark-Compact', 'Mark-Compact'].flatMap((kind) => {
    const pauses = input.events.filter((event) => event.kind === kind).map((event) => event.pauseMs);
    if (pauses.length === 0) return [];
    const summary = summarize(pauses);
    const perSecond = pauses.length / Math.max(input.fenerSeconds, 1e-9);
    return [
      `| ${kind} | ${pauses.length} | ${perSecond.toFixed(1)} | ${summary.p50.toFixed(2)} | ${summary.p90.toFixed(2)} | ${summary.max.toFixed(2)} |`,
    ];
  });
  return [
    `# bench:tail — ${new Date().toISOString()}`,
    '',
    `Fener: ${input.launch}, with --trace-gc${input.nodeFlags ? ` ${input.nodeFlags}` : ''}; ${input.rate} req/s, turns taken.`,
    '',
    '| target | responses | p50 ms | p90 ms | p99 ms | max ms | added p50 / p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Collections of Fener's main thread during its rounds (${input.fenerSeconds.toFixed(0)} s):`,
    '',
    '| kind | count | per second | pause p50 ms | p90 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...gcRows,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
