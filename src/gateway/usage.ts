/**
 * Token counts and cost. Providers' own counts are used when they report them; otherwise the
 * text is counted with a tiktoken-compatible tokenizer and the trace is marked as estimated.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import type { ModelPrice } from '../core/index.js';
import type { ChatMessage, ChatResult, ToolDefinition, Usage } from '../providers/index.js';

let encoder: Tiktoken | undefined;

/** Loaded on first use: building the o200k table takes a moment and most calls never need it. */
function tokenizer(): Tiktoken {
  encoder ??= new Tiktoken(o200kBase);
  return encoder;
}

export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer().encode(text).length;
}

function contentText(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * A quick upper-leaning estimate (about 3 characters a token) for admission checks, which are
 * corrected with the real count afterwards. It keeps the tokenizer — whose tables take seconds
 * to build — off the hot path entirely.
 */
export function approximateInputTokens(messages: ChatMessage[], tools?: ToolDefinition[]): number {
  let characters = 0;
  for (const message of messages) {
    characters += contentText(message.content).length + 12;
    if (message.role === 'assistant' && message.tool_calls) {
      for (const call of message.tool_calls) characters += call.function.name.length + call.function.arguments.length;
    }
  }
  if (tools && tools.length > 0) characters += JSON.stringify(tools).length;
  return Math.ceil(characters / 3) + 3;
}

/** OpenAI's published accounting: about 3 tokens of framing per message and 3 to prime the reply. */
export function estimateInputTokens(messages: ChatMessage[], tools?: ToolDefinition[]): number {
  let total = 3;
  for (const message of messages) {
    total += 3 + countTextTokens(contentText(message.content));
    if (message.role === 'assistant' && message.tool_calls) {
      for (const call of message.tool_calls) total += countTextTokens(call.function.name + call.function.arguments);
    }
  }
  if (tools && tools.length > 0) total += countTextTokens(JSON.stringify(tools));
  return total;
}

export function estimateOutputTokens(message: ChatResult['message']): number {
  let total = countTextTokens(message.content ?? '');
  for (const call of message.tool_calls ?? []) total += countTextTokens(call.function.name + call.function.arguments);
  return total;
}

/** Cost in USD. Cached input tokens are part of the input count and priced at the cached rate. */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cached_input_tokens ?? 0, usage.input_tokens);
  const cachedRate = price.cached_input_per_mtok ?? price.input_per_mtok;
  const dollars = (usage.input_tokens - cached) * price.input_per_mtok + cached * cachedRate + usage.output_tokens * price.output_per_mtok;
  return dollars / 1_000_000;
}
