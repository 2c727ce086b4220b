/**
 * `npm run bench:metrics`: items per second of corpus BLEU, chrF and ROUGE (1+2+L, with and
 * without the Porter stemmer) on 10,000 generated prediction/reference pairs of ~20 words
 * (seeded, so every run scores the same text).
 *
 * The Python reference implementations cannot run on this machine (no PyPI), so the baseline is
 * the figures measured for the issue on this machine: sacrebleu corpus BLEU ~6,800 pairs/s, chrF
 * ~4,000/s, rouge-score ROUGE-1+2+L ~6,600/s plain and ~2,800/s stemmed. The target is 5× those.
 * Each metric runs once to warm up, then `--runs` times (default 3); the median is reported. The
 * stem memo is emptied before every stemmed run, so each run pays for its own stemming.
 *
 * Flags: --pairs N (default 10000), --runs N (default 3). Exits 0 whatever the ratios.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { computeMetric, type MetricRequest } from '../src/evals/index.js';
import { clearStemCache } from '../src/evals/metrics/rouge-tokenize.js';

const { values } = parseArgs({ options: { pairs: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } } });
const pairCount = Number(values.pairs);
const runs = Number(values.runs);

/** mulberry32: a small seeded generator, enough for reproducible text. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seededRandom(20261128);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

// English-like words: stems and suffixes the stemmer has work to do on, and a few function words.
const consonants = 'bcdfghjklmnprstvwz';
const vowels = 'aeiou';
const suffixes = ['', '', '', 's', 'ed', 'ing', 'ation', 'ness', 'ly', 'er', 'ment', 'ful'];
const functionWords = ['the', 'a', 'of', 'to', 'and', 'in', 'is', 'it', 'that', 'for'];
function makeWord(): string {
  let word = '';
  const syllables = 1 + Math.floor(random() * 3);
  for (let index = 0; index < syllables; index += 1) word += pick([...consonants]) + pick([...vowels]);
  return word + pick([...consonants]) + pick(suffixes);
}
const vocabulary = Array.from({ length: 2000 }, makeWord);

function sentence(length: number): string[] {
  return Array.from({ length }, () => (random() < 0.3 ? pick(functionWords) : pick(vocabulary)));
}

function capitalise(words: string[]): string {
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

const predictions: string[] = [];
const references: string[][] = [];
for (let index = 0; index < pairCount; index += 1) {
  const reference = sentence(16 + Math.floor(random() * 9));
  // The prediction keeps ~70% of the reference's words, changes some and drops or adds a few.
  const prediction = reference.flatMap((word) => {
    const roll = random();
    if (roll < 0.7) return [word];
    if (roll < 0.85) return [pick(vocabulary)];
    if (roll < 0.92) return [];
    return [word, pick(functionWords)];
  });
  predictions.push(capitalise(prediction));
  references.push([capitalise(reference)]);
}

interface Case {
  label: string;
  request: MetricRequest;
  pythonPerSecond: number;
  before?: () => void;
}

const cases: Case[] = [
  { label: 'BLEU (corpus + sentence)', request: { metric: 'bleu', predictions, references }, pythonPerSecond: 6800 },
  { label: 'chrF (corpus + sentence)', request: { metric: 'chrf', predictions, references }, pythonPerSecond: 4000 },
  {
    label: 'ROUGE-1+2+L',
    request: { metric: 'rouge', predictions, references, options: { rouge_types: ['rouge1', 'rouge2', 'rougeL'] } },
    pythonPerSecond: 6600,
  },
  {
    label: 'ROUGE-1+2+L, stemmed',
    request: { metric: 'rouge', predictions, references, options: { rouge_types: ['rouge1', 'rouge2', 'rougeL'], use_stemmer: true } },
    pythonPerSecond: 2800,
    before: clearStemCache,
  },
];

interface Timing {
  wall: number;
  cpu: number;
}

/** Wall-clock and CPU seconds (user + system) of one scoring of the whole corpus. */
function timeOnce(item: Case): Timing {
  item.before?.();
  const startedCpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  computeMetric(item.request);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(startedCpu);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const words = predictions.reduce((sum, text) => sum + text.split(' ').length, 0) / predictions.length;
const [load] = loadavg();
process.stdout.write(
  `${pairCount} pairs, ${words.toFixed(1)} words per prediction on average, median of ${runs} runs after a warm-up; ` +
    `load average ${load?.toFixed(1)} on ${cpus().length} CPUs\n` +
    'The ratio uses CPU time (user + system), which a loaded machine inflates far less than wall time.\n\n',
);
process.stdout.write('| metric | wall s | CPU s | items/s (CPU) | items/s (wall) | Python items/s | ratio (CPU) | ≥5× |\n');
process.stdout.write('|---|---:|---:|---:|---:|---:|---:|---|\n');
const format = (value: number): string => Math.round(value).toLocaleString('en');
for (const item of cases) {
  timeOnce(item);
  const timings = Array.from({ length: runs }, () => timeOnce(item));
  const wall = median(timings.map((timing) => timing.wall));
  const cpu = median(timings.map((timing) => timing.cpu));
  const ratio = pairCount / cpu / item.pythonPerSecond;
  process.stdout.write(
    `| ${item.label} | ${wall.toFixed(3)} | ${cpu.toFixed(3)} | ${format(pairCount / cpu)} | ${format(pairCount / wall)} | ` +
      `${format(item.pythonPerSecond)} | ${ratio.toFixed(1)}× | ${ratio >= 5 ? 'PASS' : 'FAIL'} |\n`,
  );
}
