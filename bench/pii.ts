/**
 * `npm run bench:pii`: accuracy of the PII engine on the labelled set (per-type precision and
 * recall) and its throughput in CPU time, next to a baseline measured in the same run — one pass of
 * the usual one-line email regex over the same text, about the least a regex-based detector costs.
 */
import { detectPii, redactPii } from '../src/pii/index.js';
import { evaluate, formatScores, loadLabelledSet } from '../test/support/pii-evaluation.js';

const targetBytes = 2 * 1024 * 1024;
const rounds = 3;

function corpus(texts: readonly string[]): string {
  const parts: string[] = [];
  let size = 0;
  for (let index = 0; size < targetBytes; index += 1) {
    const text = texts[index % texts.length] ?? '';
    parts.push(text);
    size += Buffer.byteLength(text) + 1;
  }
  return parts.join('\n');
}

/** Ordinary prose without PII: what most gateway traffic looks like. */
const prose = [
  'Summarise the following meeting notes in three bullet points and keep the tone neutral.',
  'Bu metni İngilizceye çevir ve resmi bir dil kullan; cümleleri kısa tut.',
  'Schreibe eine kurze Produktbeschreibung für einen wasserdichten Rucksack mit 30 Litern.',
  'The quarterly report shows revenue up 12% with costs flat; explain the drivers in plain words.',
  'Kod incelemesinde fonksiyonların 60 satırı geçmemesi gerektiğini not aldık.',
];

function megabytesPerSecond(text: string, run: (chunk: string) => unknown): number {
  // Chunks of ~2 KB, the size of a chat message, so per-call overhead is counted too.
  const chunks = text.match(/[\s\S]{1,2048}/g) ?? [];
  const timings: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    // CPU time of this process, not wall time: on a shared machine the wall clock mostly measures
    // the other processes.
    const started = process.cpuUsage();
    for (const chunk of chunks) run(chunk);
    const used = process.cpuUsage(started);
    timings.push((used.user + used.system) / 1e6);
  }
  timings.sort((a, b) => a - b);
  const median = timings[Math.floor(timings.length / 2)] ?? 1;
  return Buffer.byteLength(text) / 1024 / 1024 / median;
}

/** The usual one-line email regex: what a single-pattern scanner costs. */
const baselinePattern = /[\w.+-]+@[\w-]+\.[\w.-]+/g;

function main(): void {
  const examples = loadLabelledSet();
  const { scores } = evaluate(examples);
  console.log(`## PII engine: ${examples.length} labelled examples (test/fixtures/pii)\n`);
  console.log(formatScores(scores));
  const heldOut = examples.filter((example) => example.id.startsWith('held-out'));
  console.log(`\n### Held-out part only: ${heldOut.length} examples written after tuning\n`);
  console.log(formatScores(evaluate(heldOut).scores));

  const mixed = corpus(examples.map((example) => example.text));
  const plain = corpus(prose);
  const rows = [
    ['labelled texts (PII-dense)', mixed],
    ['plain prose (no PII)', plain],
  ] as const;
  console.log('\n## Throughput (CPU time, median of 3 rounds over ~2 MB in 2 KB chunks)\n');
  console.log(
    '| corpus | baseline: one email regex | detectPii (all types) | detectPii (email only) | redactPii mask | engine / baseline |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const [name, text] of rows) {
    const baseline = megabytesPerSecond(text, (chunk) => chunk.match(baselinePattern));
    const all = megabytesPerSecond(text, (chunk) => detectPii(chunk));
    const email = megabytesPerSecond(text, (chunk) => detectPii(chunk, { types: ['email'] }));
    const redact = megabytesPerSecond(text, (chunk) => redactPii(chunk, { mode: 'mask' }));
    console.log(
      `| ${name} | ${baseline.toFixed(1)} MB/s | ${all.toFixed(1)} MB/s | ${email.toFixed(1)} MB/s | ${redact.toFixed(1)} MB/s | ${(all / baseline).toFixed(2)}× |`,
    );
  }
}

main();
