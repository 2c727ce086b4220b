/**
 * rouge-score's default tokenizer (rouge/tokenize.py): lowercase, every run of characters other
 * than a–z and 0–9 becomes a space, and with a stemmer only tokens longer than 3 are stemmed.
 */
import { porterStem } from './porter-stemmer.js';

const nonAlphanumeric = /[^a-z0-9]+/g;
const validToken = /^[a-z0-9]+$/;

// Stemming dominates tokenisation time; a bounded memo keeps repeated words cheap.
const stemCache = new Map<string, string>();
const stemCacheLimit = 100_000;

function cachedStem(token: string): string {
  let stem = stemCache.get(token);
  if (stem === undefined) {
    stem = porterStem(token);
    if (stemCache.size >= stemCacheLimit) stemCache.clear();
    stemCache.set(token, stem);
  }
  return stem;
}

/** Empties the stem memo (benchmarks use it to time a cold start). */
export function clearStemCache(): void {
  stemCache.clear();
}

export function rougeTokenize(text: string, useStemmer: boolean): string[] {
  const tokens = text.toLowerCase().replace(nonAlphanumeric, ' ').split(' ');
  const result: string[] = [];
  for (const token of tokens) {
    if (token === '') continue;
    if (!useStemmer) {
      // After the replacement every non-empty token is already [a-z0-9]+.
      result.push(token);
      continue;
    }
    const stemmed = token.length > 3 ? cachedStem(token) : token;
    if (validToken.test(stemmed)) result.push(stemmed);
  }
  return result;
}
