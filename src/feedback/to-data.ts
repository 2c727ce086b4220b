/**
 * Feedback becomes data. For every trace with feedback, one item: the trace's messages as input;
 * the latest correction as expected output (else the trace's own answer, unless it only ever got
 * thumbs down); thumbs, scores and labels as metadata. Every preference becomes a pair: the
 * trace's messages as input (the prompt), the chosen output as `expected`, the other as `rejected`
 * — the datasets module's item shape, which its preference-pairs export reads.
 *
 * The result is plain data: the layer above hands it to the datasets module, which this module
 * may not import (and which may not import this one).
 */
import type { Feedback, Trace } from '../store/index.js';
import { traceMessages, traceOutput, type ChatMessage } from './trace-text.js';

/**
 * An item in the datasets module's shape: `id` follows the trace (`trace:trc_…`) or the preference
 * (`preference:fbk_…`), so re-running the conversion over more feedback updates the same items.
 */
export interface FeedbackItem {
  id: string;
  input: { messages: ChatMessage[] };
  expected: string | null;
  metadata: {
    source: { trace_id: string; model: string };
    feedback: {
      thumbs: { up: number; down: number };
      scores: Record<string, number[]>;
      labels: Record<string, string[]>;
      corrections: number;
    };
    /** The trace's own answer, when a correction replaced it. */
    original_output?: string | null;
  };
}

/** A preference as an item: the prompt as input, the chosen output as `expected`, the other as `rejected`. */
export interface PreferencePair {
  id: string;
  input: { messages: ChatMessage[] };
  expected: string;
  rejected: string;
  metadata: { source: { trace_id: string; feedback_id: string }; author: string | null };
}

export interface FeedbackData {
  items: FeedbackItem[];
  pairs: PreferencePair[];
  /** Feedback that could not become data, and why (a trace without chat messages, say). */
  skipped: { feedback_id: string; reason: string }[];
}

export type TraceLoader = (id: string) => Promise<Trace | undefined>;

export async function feedbackToData(feedback: Feedback[], loadTrace: TraceLoader): Promise<FeedbackData> {
  const traces = new Map<string, Trace | undefined>();
  const trace = async (id: string): Promise<Trace | undefined> => {
    if (!traces.has(id)) traces.set(id, await loadTrace(id));
    return traces.get(id);
  };
  const data: FeedbackData = { items: [], pairs: [], skipped: [] };
  const byTrace = new Map<string, Feedback[]>();
  // Oldest first, so "the latest correction" is the last one seen.
  for (const entry of [...feedback].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))) {
    if (entry.trace_id === null) {
      data.skipped.push({ feedback_id: entry.id, reason: 'not about a trace (a dataset item reviewed in a queue)' });
      continue;
    }
    if (entry.kind === 'preference') {
      const pair = await preferencePair(entry, trace);
      if (typeof pair === 'string') data.skipped.push({ feedback_id: entry.id, reason: pair });
      else data.pairs.push(pair);
      continue;
    }
    byTrace.set(entry.trace_id, [...(byTrace.get(entry.trace_id) ?? []), entry]);
  }
  for (const [traceId, entries] of byTrace) {
    const source = await trace(traceId);
    const messages = source ? traceMessages(source.request_body) : null;
    if (!source || !messages) {
      for (const entry of entries)
        data.skipped.push({ feedback_id: entry.id, reason: source ? 'the trace holds no chat messages' : 'the trace no longer exists' });
      continue;
    }
    data.items.push(itemOf(source, messages, entries));
  }
  return data;
}

function itemOf(source: Trace, messages: ChatMessage[], entries: Feedback[]): FeedbackItem {
  const summary: FeedbackItem['metadata']['feedback'] = { thumbs: { up: 0, down: 0 }, scores: {}, labels: {}, corrections: 0 };
  let correction: string | null = null;
  for (const entry of entries) {
    if (entry.kind === 'thumbs') summary.thumbs[entry.value === 1 ? 'up' : 'down']++;
    else if (entry.kind === 'score' && entry.value !== null) (summary.scores[entry.name] ??= []).push(entry.value);
    else if (entry.kind === 'label' && entry.label !== null) (summary.labels[entry.name] ??= []).push(entry.label);
    else if (entry.kind === 'correction' && entry.correction !== null) {
      summary.corrections++;
      correction = entry.correction;
    }
  }
  const output = traceOutput(source.response_body);
  const rejectedOnly = summary.thumbs.down > 0 && summary.thumbs.up === 0;
  const item: FeedbackItem = {
    id: `trace:${source.id}`,
    input: { messages },
    expected: correction ?? (rejectedOnly ? null : output),
    metadata: { source: { trace_id: source.id, model: source.model }, feedback: summary },
  };
  if (correction !== null) item.metadata.original_output = output;
  return item;
}

async function preferencePair(entry: Feedback, trace: (id: string) => Promise<Trace | undefined>): Promise<PreferencePair | string> {
  const source = await trace(entry.trace_id!);
  const prompt = source ? traceMessages(source.request_body) : null;
  if (!prompt) return source ? 'the trace holds no chat messages' : 'the trace no longer exists';
  const text = async (side: { trace_id: string | null; text: string | null }): Promise<string | null> => {
    if (side.text !== null) return side.text;
    const other = side.trace_id === null ? undefined : await trace(side.trace_id);
    return other ? traceOutput(other.response_body) : null;
  };
  const chosen = await text(entry.preference!.chosen);
  const rejected = await text(entry.preference!.rejected);
  if (chosen === null || rejected === null) return 'an output of the preference has no text (its trace is gone or answered with no text)';
  return {
    id: `preference:${entry.id}`,
    input: { messages: prompt },
    expected: chosen,
    rejected,
    metadata: { source: { trace_id: source!.id, feedback_id: entry.id }, author: entry.author },
  };
}
