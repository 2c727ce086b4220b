/** The request and result shapes shared by every metric (see index.ts for the public contract). */
export interface MetricRequest {
  /** A name from `metricNames`, e.g. `bleu`, `chrf`, `rouge`, `exact_match`. */
  metric: string;
  /** One model output per item. */
  predictions: string[];
  /** One array of one or more references per prediction. */
  references: string[][];
  /** Metric options, spelled as the reference libraries spell them (`tokenize`, `use_stemmer`, …). */
  options?: Record<string, unknown>;
}

export interface MetricResult {
  metric: string;
  /** Corpus-level scores, e.g. `{ score: 34.2 }` for BLEU or `{ rouge1_fmeasure: 0.41, … }`. */
  corpus: Record<string, number>;
  /** One record of scores per item, in the order of `predictions`. */
  items: Array<Record<string, number>>;
  /** A reproducibility signature, e.g. sacrebleu's `nrefs:1|case:mixed|eff:no|tok:13a|…`. */
  signature?: string;
}

/** One metric: its accepted option names and the function that scores a checked request. */
export interface MetricDefinition {
  readonly name: string;
  readonly options: readonly string[];
  /** Whether items may have no reference at all (json_valid, length, regex). */
  readonly referencesOptional?: boolean;
  /**
   * Its options carry the caller's measurements, one per prediction (latency, cost, embeddings):
   * scoring a list someone already has, never an experiment's outputs.
   */
  readonly measured?: boolean;
  compute(predictions: string[], references: string[][], options: Record<string, unknown>): MetricResult;
}
