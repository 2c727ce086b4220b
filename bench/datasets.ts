/**
 * `npm run bench:datasets`: a seeded 1,000,000-row JSONL (with exact and near duplicates, PII and
 * messy whitespace) is imported, prepared (normalise → exact dedupe → MinHash near-dedupe → PII
 * redaction) and exported, on SQLite in a temporary directory (or Postgres with `--database-url`).
 * Reports rows/s per stage, the baseline of reading and parsing the same file without a
 * database (measured in the same run), and peak RSS (VmHWM) — which must stay bounded.
 *
 * Flags: --rows N (default 1000000), --database-url postgres://…, --keep (leave the files).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createDataset, exportStream, importItems, parseJsonl, parsePipeline, prepareDataset } from '../src/datasets/index.js';
import { openStore } from '../src/store/index.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const rows = Number(flag('--rows') ?? 1_000_000);
const databaseUrl = flag('--database-url');
const rssLimitBytes = 500 * 1024 * 1024;

/** mulberry32: a small seeded generator, so every run builds the same file. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(42);
const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 'de', 'an', 'or', 'el', 'us', 'ba', 'zi', 'ku'];
const vocabulary = Array.from({ length: 4000 }, () => {
  const length = 2 + Math.floor(rand() * 3);
  return Array.from({ length }, () => syllables[Math.floor(rand() * syllables.length)]).join('');
});
const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)]!;
const sentence = (words: number): string => Array.from({ length: words }, () => pick(vocabulary)).join(' ');

interface Row {
  question: string;
  answer: string;
}

function messy(text: string): string {
  return text.replace(/ /g, () => (rand() < 0.1 ? '  \u00a0' : ' ')).replace(/a/, 'ａ') + '\u200b ';
}

/** 3% exact duplicates, 3% near duplicates (one word changed), 10% with PII, 5% messy whitespace. */
function nextRow(recent: Row[]): Row {
  const roll = rand();
  const base = recent.length > 0 ? pick(recent) : undefined;
  if (base && roll < 0.03) return { ...base };
  if (base && roll < 0.06) {
    const words = base.question.split(' ');
    words[Math.floor(rand() * words.length)] = pick(vocabulary);
    return { question: words.join(' '), answer: base.answer };
  }
  let question = sentence(20 + Math.floor(rand() * 20));
  if (roll < 0.16)
    question += ` contact me at user${Math.floor(rand() * 1e6)}@example.com or +90 532 ${100 + Math.floor(rand() * 900)} 45 67`;
  if (roll > 0.95) question = messy(question);
  return { question, answer: sentence(10 + Math.floor(rand() * 10)) };
}

async function generate(path: string): Promise<void> {
  const out = createWriteStream(path);
  const recent: Row[] = [];
  let chunk = '';
  for (let index = 1; index <= rows; index++) {
    const row = nextRow(recent);
    if (recent.length < 5000) recent.push(row);
    else recent[Math.floor(rand() * recent.length)] = row;
    const record = { id: `r${index}`, messages: [{ role: 'user', content: row.question }], expected: row.answer, metadata: { n: index } };
    chunk += `${JSON.stringify(record)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

let peakSampled = 0;
const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, process.memoryUsage().rss)), 100);
sampler.unref();

function vmHwm(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

interface Stage {
  stage: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
}

const stages: Stage[] = [];
async function stage(name: string, count: () => number, work: () => Promise<void>): Promise<void> {
  peakSampled = process.memoryUsage().rss;
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const done = count();
  stages.push({
    stage: name,
    rows: done,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(done / seconds),
    peakRssMb: Math.round(peakSampled / 2 ** 20),
  });
  process.stderr.write(`${name}: ${done} rows in ${seconds.toFixed(1)} s\n`);
}

const dir = mkdtempSync(join(tmpdir(), 'fener-bench-datasets-'));
const input = join(dir, 'input.jsonl');
const output = join(dir, 'export.jsonl');
const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: join(dir, 'data') });
try {
  await stage(
    'generate',
    () => rows,
    () => generate(input),
  );
  let parsed = 0;
  await stage(
    'baseline: read + parse (no database)',
    () => parsed,
    async () => {
      for await (const line of parseJsonl(createReadStream(input))) if (line.result.ok) parsed++;
    },
  );
  await store.projects.ensure('default');
  const dataset = await createDataset(store, { name: `bench-${Date.now()}`, actor: 'bench' });
  let imported = 0;
  await stage(
    'import (stream → pending version → commit)',
    () => imported,
    async () => {
      const report = await importItems(store, {
        dataset,
        format: 'jsonl',
        source: createReadStream(input),
        keepValid: false,
        actor: 'bench',
      });
      imported = report.itemCount;
    },
  );
  const pipelineText = 'steps:\n  - step: normalize\n  - step: dedupe\n  - step: near_dedupe\n  - step: pii\n';
  let prepared = 0;
  let report: Awaited<ReturnType<typeof prepareDataset>> | undefined;
  await stage(
    'prepare: normalize + dedupe + near_dedupe + pii (rows read)',
    () => prepared,
    async () => {
      report = await prepareDataset(store, {
        dataset: await store.datasets.require(dataset.name),
        pipeline: parsePipeline(pipelineText),
        actor: 'bench',
      });
      prepared = imported;
    },
  );
  let exported = 0;
  await stage(
    'export jsonl (stream)',
    () => exported,
    async () => {
      const final = await store.datasets.version(await store.datasets.require(dataset.name));
      exported = final.itemCount;
      await pipeline(exportStream(store, 'jsonl', { versionId: final.id }), createWriteStream(output));
    },
  );
  const peak = vmHwm();
  const baseline = stages.find((entry) => entry.stage.startsWith('baseline'))!;
  const result = {
    rows,
    dialect: store.dialect,
    inputBytes: statSync(input).size,
    stages: stages.map((entry) => ({ ...entry, vsBaseline: Number((entry.rowsPerSecond / baseline.rowsPerSecond).toFixed(3)) })),
    steps: report?.steps.map((step) => ({ step: step.step, version: step.version, items: step.itemCount, dropped: step.dropped })),
    peakRssMb: Math.round(peak / 2 ** 20),
    rssLimitMb: rssLimitBytes / 2 ** 20,
    bounded: peak < rssLimitBytes,
  };
  process.stdout.write(`\n| stage | rows | seconds | rows/s | × baseline | peak RSS (MB) |\n| --- | --- | --- | --- | --- | --- |\n`);
  for (const entry of result.stages) {
    process.stdout.write(
      `| ${entry.stage} | ${entry.rows} | ${entry.seconds} | ${entry.rowsPerSecond} | ${entry.vsBaseline} | ${entry.peakRssMb} |\n`,
    );
  }
  process.stdout.write(`\nsteps: ${JSON.stringify(result.steps)}\n`);
  process.stdout.write(
    `peak RSS (VmHWM) ${result.peakRssMb} MB — ${result.bounded ? 'PASS' : 'FAIL'} (limit ${result.rssLimitMb} MB); input ${(result.inputBytes / 2 ** 20).toFixed(0)} MB, ${store.dialect}\n`,
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/datasets-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(result, null, 2));
} finally {
  await store.close();
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
