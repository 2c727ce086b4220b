/**
 * The longest-common-subsequence parts of rouge-score (rouge/rouge_scorer.py): the LCS length for
 * ROUGE-L, and the union-LCS summary-level score for ROUGE-Lsum with its guard against counting
 * a token more often than it occurs.
 */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

const zero: RougeScore = { precision: 0, recall: 0, fmeasure: 0 };

/** LCS length with two rolling rows. */
export function lcsLength(reference: readonly number[], candidate: readonly number[]): number {
  const columns = candidate.length;
  let previous = new Int32Array(columns + 1);
  let current = new Int32Array(columns + 1);
  for (const token of reference) {
    for (let j = 1; j <= columns; j += 1) {
      current[j] = token === candidate[j - 1] ? (previous[j - 1] as number) + 1 : Math.max(previous[j] as number, current[j - 1] as number);
    }
    [previous, current] = [current, previous];
  }
  return previous[columns] as number;
}

export function scoreLcs(target: readonly number[], prediction: readonly number[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return zero;
  const length = lcsLength(target, prediction);
  const precision = length / prediction.length;
  const recall = length / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** `lcs_ind`: the reference indices of one LCS, read back as `_backtrack_norec` does. */
export function lcsIndices(reference: readonly number[], candidate: readonly number[]): number[] {
  const rows = reference.length;
  const columns = candidate.length;
  const width = columns + 1;
  const table = new Int32Array((rows + 1) * width);
  for (let i = 1; i <= rows; i += 1) {
    for (let j = 1; j <= columns; j += 1) {
      table[i * width + j] =
        reference[i - 1] === candidate[j - 1]
          ? (table[(i - 1) * width + j - 1] as number) + 1
          : Math.max(table[(i - 1) * width + j] as number, table[i * width + j - 1] as number);
    }
  }
  const indices: number[] = [];
  let i = rows;
  let j = columns;
  while (i > 0 && j > 0) {
    if (reference[i - 1] === candidate[j - 1]) {
      indices.push(i - 1);
      i -= 1;
      j -= 1;
    } else if ((table[i * width + j - 1] as number) > (table[(i - 1) * width + j] as number)) {
      j -= 1;
    } else {
      i -= 1;
    }
  }
  return indices.reverse();
}

function countTokens(sentences: ReadonlyArray<readonly number[]>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const sentence of sentences) for (const token of sentence) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

/** `_summary_level_lcs` (ROUGE-Lsum). */
export function summaryLevelLcs(
  referenceSentences: ReadonlyArray<readonly number[]>,
  candidateSentences: ReadonlyArray<readonly number[]>,
): RougeScore {
  if (referenceSentences.length === 0 || candidateSentences.length === 0) return zero;
  const m = referenceSentences.reduce((sum, sentence) => sum + sentence.length, 0);
  const n = candidateSentences.reduce((sum, sentence) => sum + sentence.length, 0);
  if (m === 0 || n === 0) return zero;
  const referenceCounts = countTokens(referenceSentences);
  const candidateCounts = countTokens(candidateSentences);
  let hits = 0;
  for (const reference of referenceSentences) {
    const union = new Set<number>();
    for (const candidate of candidateSentences) for (const index of lcsIndices(reference, candidate)) union.add(index);
    for (const index of [...union].sort((a, b) => a - b)) {
      const token = reference[index] as number;
      const inCandidate = candidateCounts.get(token) ?? 0;
      const inReference = referenceCounts.get(token) ?? 0;
      if (inCandidate > 0 && inReference > 0) {
        hits += 1;
        candidateCounts.set(token, inCandidate - 1);
        referenceCounts.set(token, inReference - 1);
      }
    }
  }
  const recall = hits / m;
  const precision = hits / n;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}
