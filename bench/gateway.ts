/**
 * `npm run bench:gateway`: the mock provider upstream, then — in one run, at the same load —
 * direct calls, calls through a minimal pass-through proxy (the baseline), and calls through
 * Fener. Prints markdown tables and writes the numbers to `bench/results/gateway-<time>.json`.
 *
 * Flags: --quick          a smoke run (~30 s once built)
 *        --ref <git-ref>  benchmark a committed revision (see revision.ts) instead of the working tree
 *        --skip-build     use dist/ as it is (or run from source with tsx when there is none)
 *        --cpu-prof       write a CPU profile of the Fener process and summarise it (slows Fener)
 * Exits 0 once it has measured, whatever the PASS/FAIL lines say: it is a benchmark, not a test.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printProfiles } from './cpu-profile.js';
import { log } from './log.js';
import { measure, type MeasureSettings } from './measure.js';
import { killChildrenOnExit } from './processes.js';
import { renderMarkdown, writeJson, type BenchResults } from './report.js';
import { readMemory, startAll } from './stack.js';
import { benchRoot as root, prepareSubject, type Subject } from './subject.js';

interface Settings extends MeasureSettings {
  quick: boolean;
  ref: string | undefined;
  skipBuild: boolean;
  cpuProfileDir: string | undefined;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      ref: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    quick,
    ref: values.ref,
    skipBuild: values['skip-build'] === true,
    cpuProfileDir: values['cpu-prof'] ? join(root, 'bench/results', `cpu-profile-${stamp}`) : undefined,
    connections: 50,
    rates: [200, 500],
    rounds: quick ? 1 : 3,
    warmupRequests: quick ? 1_000 : 5_000,
    maxSeconds: quick ? 1 : 3,
    rateSeconds: quick ? 3 : 4,
    ttfbSamples: quick ? 100 : 500,
    ttfbWarmup: quick ? 20 : 100,
  };
}

async function run(settings: Settings, subject: Subject): Promise<BenchResults> {
  log('starting the mock provider, the minimal proxy and Fener');
  const stack = await startAll({ launch: subject.launch, benchRoot: root, cpuProfileDir: settings.cpuProfileDir });
  try {
    const before = await readMemory(stack);
    const measured = await measure(stack, settings);
    const memory = await readMemory(stack, before);
    reportLogs(stack.fener.child.output());
    const { connections, rounds, maxSeconds, rateSeconds, ttfbSamples } = settings;
    const meta: BenchResults['meta'] = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      commit: subject.commit,
      fenerLaunch: subject.launchText + (settings.cpuProfileDir ? ' with --cpu-prof (slower: do not compare)' : ''),
      quick: settings.quick,
      settings: { connections, rounds, maxSeconds, rateSeconds, ttfbSamples },
    };
    return { meta, ...measured, memory };
  } finally {
    await stack.stop();
  }
}

/** One line per distinct message: pino writes JSON lines, and one failure can repeat thousands of times. */
function summarizeLogs(output: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of output.split('\n').filter((text) => text.trim() !== '')) {
    let key = line.slice(0, 200);
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string }; status?: number };
      key = `level ${entry.level ?? '?'}${entry.status ? `, HTTP ${entry.status}` : ''}: ${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message})` : ''}`;
    } catch {
      // not JSON: keep the raw line
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Fener runs with FENER_LOG_LEVEL=warn: anything it logged is worth a look (on stderr, not in the report). */
function reportLogs(output: string): void {
  const counts = summarizeLogs(output);
  if (counts.size === 0) return;
  log('Fener logged at warn level or above (the last 16 KB of its output, by message):');
  for (const [message, count] of counts) process.stderr.write(`  ${count} × ${message}\n`);
}

async function main(): Promise<void> {
  killChildrenOnExit();
  const settings = readSettings();
  const subject = await prepareSubject(settings);
  try {
    const results = await run(settings, subject);
    process.stdout.write(renderMarkdown(results));
    log(`wrote ${writeJson(join(root, 'bench/results'), results)}`);
    if (settings.cpuProfileDir) printProfiles(settings.cpuProfileDir);
  } finally {
    subject.cleanup();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
