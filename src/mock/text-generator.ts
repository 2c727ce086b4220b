/**
 * Deterministic pseudo-text. Answers are made of invented words so that nobody mistakes them for
 * model output, yet they look like prose (capitals, sentences) to anything that renders them.
 * One generated word is one output token; that keeps `completion_tokens`, `max_tokens` and
 * stream pacing easy to reason about in tests and benchmarks.
 */
import { createRandom, randomInt, type Random } from './random.js';

const syllables = [
  'ka', 'lo', 'mi', 'ren', 'su', 'ta', 'vo', 'zen', 'pra', 'ne',
  'qui', 'dor', 'fe', 'lan', 'tos', 'bri', 'el', 'ara', 'om', 'tiv',
] as const; // prettier-ignore

/** Built once at load time from a fixed seed, so the vocabulary never depends on a request. */
const vocabulary: readonly string[] = buildVocabulary(512);

function buildVocabulary(size: number): string[] {
  const random = createRandom(0x5eed);
  const words = new Set<string>();
  while (words.size < size) {
    const count = randomInt(random, 1, 3);
    let word = '';
    for (let i = 0; i < count; i++) word += syllables[randomInt(random, 0, syllables.length - 1)];
    words.add(word);
  }
  return [...words];
}

function pickWord(random: Random): string {
  return vocabulary[Math.floor(random() * vocabulary.length)] ?? 'ka';
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * `count` tokens of prose: every fragment after the first starts with a space, sentences run 5 to
 * 12 words, and the last word closes a sentence. Joining the fragments gives the answer text.
 */
export function generateWords(random: Random, count: number): string[] {
  const fragments: string[] = [];
  let sentenceLeft = randomInt(random, 5, 12);
  let startOfSentence = true;
  for (let i = 0; i < count; i++) {
    let word = pickWord(random);
    if (startOfSentence) word = capitalise(word);
    sentenceLeft--;
    startOfSentence = sentenceLeft === 0 || i === count - 1;
    if (startOfSentence) {
      word += '.';
      sentenceLeft = randomInt(random, 5, 12);
    }
    fragments.push(i === 0 ? word : ' ' + word);
  }
  return fragments;
}

/** A few lower-case words, for string values inside generated JSON. */
export function generatePhrase(random: Random, minWords: number, maxWords: number): string {
  const count = randomInt(random, minWords, maxWords);
  let phrase = pickWord(random);
  for (let i = 1; i < count; i++) phrase += ' ' + pickWord(random);
  return phrase;
}

/** One word, for ids inside generated values (emails, URLs). */
export function generateWord(random: Random): string {
  return pickWord(random);
}

/**
 * Cuts text that is not made of words (JSON answers, tool arguments) into stream fragments of
 * about four characters, roughly what a BPE tokenizer gives on JSON; each fragment is one token.
 */
export function splitIntoFragments(text: string, size = 4): string[] {
  const fragments: string[] = [];
  for (let i = 0; i < text.length; i += size) fragments.push(text.slice(i, i + size));
  return fragments;
}

const maxCharactersPerWordToken = 6;

/**
 * Estimates the token count of prompt text without a tokenizer, in one pass and without
 * allocating: each run of letters or digits counts one token per 6 characters (long words split
 * into pieces, as BPE does), every other visible character (punctuation, symbols, non-Latin
 * letters) is a token of its own, and whitespace is free. It is deterministic and within a small
 * factor of tiktoken on English; it is not meant to match any real tokenizer exactly.
 */
export function countTextTokens(text: string): number {
  let tokens = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const isWordCharacter = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (isWordCharacter) {
      run++;
      continue;
    }
    if (run > 0) tokens += Math.ceil(run / maxCharactersPerWordToken);
    run = 0;
    // Whitespace and control characters are absorbed into the neighbouring tokens.
    if (code > 32) tokens++;
  }
  if (run > 0) tokens += Math.ceil(run / maxCharactersPerWordToken);
  return tokens;
}
