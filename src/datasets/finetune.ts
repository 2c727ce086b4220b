/**
 * Fine-tuning exports, validated item by item:
 * - `openai-chat`: `{"messages": [...]}` with the expected output as the final assistant message
 *   (OpenAI's supervised fine-tuning format).
 * - `preference`: `{"prompt": [...], "chosen": [...], "rejected": [...]}` (conversational
 *   preference pairs as TRL's DPO trainer reads them).
 * - `openai-dpo`: `{"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output": [...]}`.
 * Tokens are counted with the o200k tokenizer and OpenAI's per-message framing; an example over
 * the target's context window is invalid. Only valid examples are written.
 */
import { Readable } from 'node:stream';
import { estimateInputTokens } from '../gateway/index.js';
import type { Store } from '../store/index.js';
import { exportedItems, type ExportSource, type ExportedItem } from './export.js';
import type { FinetuneTarget } from './finetune-target.js';
import { outputText, type ItemMessage } from './item.js';

export const finetuneFormats = ['openai-chat', 'preference', 'openai-dpo'] as const;
export type FinetuneFormat = (typeof finetuneFormats)[number];

const trainableRoles = new Set(['system', 'user', 'assistant']);

export type Example = { ok: true; record: Record<string, unknown>; tokens: number } | { ok: false; reason: string };

function promptMessages(item: ExportedItem): ItemMessage[] | string {
  const { input } = item.content;
  if (!('messages' in input)) return 'input has variables, not messages: run a template step first';
  const wrong = input.messages.find((message) => !trainableRoles.has(message.role));
  if (wrong) return `role "${wrong.role}" is not allowed (system, user, assistant)`;
  if (!input.messages.some((message) => message.role === 'user')) return 'no user message';
  if (input.messages.some((message) => message.content.trim() === '')) return 'a message has empty content';
  return input.messages;
}

function tokensOf(messages: ItemMessage[]): number {
  return estimateInputTokens(messages.map((message) => ({ role: message.role as 'user', content: message.content })));
}

export function toExample(item: ExportedItem, format: FinetuneFormat): Example {
  const prompt = promptMessages(item);
  if (typeof prompt === 'string') return { ok: false, reason: prompt };
  const chosen = outputText(item.content.expected);
  if (format === 'openai-chat') {
    const closed = prompt.at(-1)?.role === 'assistant';
    if (!closed && chosen.trim() === '') return { ok: false, reason: 'no expected output (the assistant message to learn)' };
    const messages = closed ? prompt : [...prompt, { role: 'assistant' as const, content: chosen }];
    return { ok: true, record: { messages }, tokens: tokensOf(messages) };
  }
  const rejected = outputText(item.content.rejected);
  if (chosen.trim() === '' || rejected.trim() === '')
    return { ok: false, reason: 'a preference pair needs both expected (chosen) and rejected' };
  if (chosen === rejected) return { ok: false, reason: 'chosen and rejected are the same' };
  if (prompt.at(-1)?.role !== 'user') return { ok: false, reason: 'the prompt must end with a user message' };
  const chosenMessages = [{ role: 'assistant', content: chosen }];
  const rejectedMessages = [{ role: 'assistant', content: rejected }];
  const tokens =
    tokensOf(prompt) + tokensOf([{ role: 'assistant', content: chosen }]) + tokensOf([{ role: 'assistant', content: rejected }]);
  const record =
    format === 'preference'
      ? { prompt, chosen: chosenMessages, rejected: rejectedMessages }
      : { input: { messages: prompt }, preferred_output: chosenMessages, non_preferred_output: rejectedMessages };
  return { ok: true, record, tokens };
}

export interface FinetuneReport {
  format: FinetuneFormat;
  model: string;
  examples: number;
  invalid: number;
  /** The first invalid items (at most 100). */
  problems: { id: string; reason: string }[];
  tokens: { total: number; min: number; max: number; mean: number };
  contextWindow: number | null;
  contextSource: string;
  epochs: number;
  trainingTokens: number;
  pricePerMtok: number | null;
  priceSource: string;
  /** Null when no training price is known. */
  estimatedCostUsd: number | null;
}

export interface FinetuneOptions extends ExportSource {
  format: FinetuneFormat;
  target: FinetuneTarget;
  epochs: number;
}

/** Validates every item, yielding the JSONL text of each page of valid examples; returns the report. */
export async function* finetunePages(store: Store, options: FinetuneOptions): AsyncGenerator<string, FinetuneReport> {
  const problems: { id: string; reason: string }[] = [];
  let invalid = 0;
  let examples = 0;
  let total = 0;
  let min = Infinity;
  let max = 0;
  const limit = options.target.contextWindow;
  for await (const page of exportedItems(store, options)) {
    let text = '';
    for (const item of page) {
      let example = toExample(item, options.format);
      if (example.ok && limit !== undefined && example.tokens > limit) {
        example = { ok: false, reason: `${example.tokens} tokens exceed the context window of ${limit}` };
      }
      if (!example.ok) {
        invalid++;
        if (problems.length < 100) problems.push({ id: item.id, reason: example.reason });
        continue;
      }
      examples++;
      total += example.tokens;
      min = Math.min(min, example.tokens);
      max = Math.max(max, example.tokens);
      text += `${JSON.stringify(example.record)}\n`;
    }
    if (text !== '') yield text;
  }
  const trainingTokens = total * options.epochs;
  const price = options.target.trainingPricePerMtok;
  return {
    format: options.format,
    model: options.target.model,
    examples,
    invalid,
    problems,
    tokens: { total, min: examples === 0 ? 0 : min, max, mean: examples === 0 ? 0 : Math.round(total / examples) },
    contextWindow: limit ?? null,
    contextSource: options.target.contextSource,
    epochs: options.epochs,
    trainingTokens,
    pricePerMtok: price ?? null,
    priceSource: options.target.priceSource,
    estimatedCostUsd: price === undefined ? null : Number(((trainingTokens * price) / 1_000_000).toFixed(6)),
  };
}

/** Validation only: the report, without keeping the examples. */
export async function validateFinetune(store: Store, options: FinetuneOptions): Promise<FinetuneReport> {
  const pages = finetunePages(store, options);
  for (;;) {
    const next = await pages.next();
    if (next.done) return next.value;
  }
}

/** The valid examples as a JSONL stream (with back-pressure); the report settles when the stream ends. */
export function finetuneStream(store: Store, options: FinetuneOptions): { stream: Readable; report: Promise<FinetuneReport> } {
  let settle: { resolve: (report: FinetuneReport) => void; reject: (error: unknown) => void } | undefined;
  const report = new Promise<FinetuneReport>((resolve, reject) => (settle = { resolve, reject }));
  report.catch(() => undefined);
  async function* lines(): AsyncGenerator<string> {
    const pages = finetunePages(store, options);
    try {
      for (;;) {
        const next = await pages.next();
        if (next.done) return settle?.resolve(next.value);
        yield next.value;
      }
    } catch (error) {
      settle?.reject(error);
      throw error;
    }
  }
  return { stream: Readable.from(lines()), report };
}
