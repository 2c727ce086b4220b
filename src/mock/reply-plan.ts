/**
 * What the mock "model" answers, decided once per request and independent of any wire format:
 * the OpenAI and Anthropic modules only encode a plan. Keeping the decision here is what makes
 * the same request give the same answer, streamed or not, through either API.
 */
import { valueFromSchema } from './json-from-schema.js';
import { randomIdPart, type Random } from './random.js';
import { generateWords, splitIntoFragments } from './text-generator.js';

export type ToolChoice = { mode: 'none' } | { mode: 'auto' } | { mode: 'required' } | { mode: 'named'; name: string };

export interface ToolSpec {
  name: string;
  /** The tool's JSON Schema (`parameters` for OpenAI, `input_schema` for Anthropic). */
  schema: unknown;
}

export type ReplyFormat = { type: 'text' } | { type: 'json'; schema: unknown };

export interface ReplyInput {
  /** Seeded from the server seed and a hash of the request. */
  random: Random;
  outputTokens: number;
  maxTokens: number | undefined;
  stop: readonly string[];
  tools: readonly ToolSpec[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  /** Text of the last user message, searched for tool names. */
  lastUserText: string;
  /** True when the conversation ends with tool results: the model should now answer in words. */
  endsWithToolResult: boolean;
  format: ReplyFormat;
}

export interface TextReply {
  kind: 'text';
  /** One fragment per output token; joined they give `text`. */
  fragments: string[];
  text: string;
  finish: 'stop' | 'length' | 'stop_sequence';
  stopSequence: string | null;
}

export interface PlannedToolCall {
  /** Random id part; each wire adds its own prefix (`call_`, `toolu_`). */
  idPart: string;
  name: string;
  argumentsJson: string;
  /** One fragment per output token of the arguments. */
  fragments: string[];
}

export interface ToolCallReply {
  kind: 'tool_calls';
  calls: PlannedToolCall[];
}

export type Reply = TextReply | ToolCallReply;

export function outputTokenCount(reply: Reply): number {
  if (reply.kind === 'text') return reply.fragments.length;
  let count = 0;
  for (const call of reply.calls) count += call.fragments.length;
  return count;
}

export function planReply(input: ReplyInput): Reply {
  const tools = selectTools(input);
  if (tools.length > 0) return { kind: 'tool_calls', calls: tools.map((tool) => planCall(tool, input.random)) };
  const fragments =
    input.format.type === 'json'
      ? splitIntoFragments(JSON.stringify(valueFromSchema(jsonSchemaOrDefault(input.format.schema), input.random)))
      : generateWords(input.random, input.outputTokens);
  return finishText(fragments, input);
}

/**
 * Which tools the model calls. A named or `required` choice always calls (as the real APIs
 * guarantee); `auto` calls the tools whose names the last user message mentions, unless the
 * conversation already ends with tool results, so that agent loops driven by the mock terminate.
 */
function selectTools(input: ReplyInput): ToolSpec[] {
  const { toolChoice, tools } = input;
  if (toolChoice.mode === 'none' || tools.length === 0) return [];
  if (toolChoice.mode === 'named') return tools.filter((tool) => tool.name === toolChoice.name).slice(0, 1);
  if (toolChoice.mode === 'auto' && input.endsWithToolResult) return [];
  const text = input.lastUserText.toLowerCase();
  const mentioned = tools.filter((tool) => text.includes(tool.name.toLowerCase()));
  const chosen = mentioned.length === 0 && toolChoice.mode === 'required' ? tools.slice(0, 1) : mentioned;
  return input.parallelToolCalls ? chosen : chosen.slice(0, 1);
}

function planCall(tool: ToolSpec, random: Random): PlannedToolCall {
  const idPart = randomIdPart(random);
  const value = valueFromSchema(objectSchemaOrDefault(tool.schema), random);
  const argumentsJson = JSON.stringify(value);
  return { idPart, name: tool.name, argumentsJson, fragments: splitIntoFragments(argumentsJson) };
}

/** Tool arguments are always a JSON object, even when the tool declares no parameters. */
function objectSchemaOrDefault(schema: unknown): unknown {
  return schema === undefined || schema === null ? { type: 'object', properties: {} } : schema;
}

/** `json_object` mode has no schema; a one-field object still proves the "valid JSON" contract. */
function jsonSchemaOrDefault(schema: unknown): unknown {
  return schema ?? { type: 'object', properties: { answer: { type: 'string' } } };
}

/** Applies the `max_tokens` cap, then the stop sequences, as the real APIs do. */
function finishText(all: string[], input: ReplyInput): TextReply {
  const capped = input.maxTokens !== undefined && all.length > input.maxTokens;
  const fragments = capped ? all.slice(0, input.maxTokens) : all;
  const text = fragments.join('');
  const stop = findStop(text, input.stop);
  if (stop) {
    return {
      kind: 'text',
      fragments: cutFragments(fragments, stop.index),
      text: text.slice(0, stop.index),
      finish: 'stop_sequence',
      stopSequence: stop.sequence,
    };
  }
  return { kind: 'text', fragments, text, finish: capped ? 'length' : 'stop', stopSequence: null };
}

function findStop(text: string, stops: readonly string[]): { index: number; sequence: string } | undefined {
  let found: { index: number; sequence: string } | undefined;
  for (const sequence of stops) {
    if (sequence.length === 0) continue;
    const index = text.indexOf(sequence);
    if (index >= 0 && (found === undefined || index < found.index)) found = { index, sequence };
  }
  return found;
}

/** Keeps the fragments before `end` characters, the last one shortened; empty pieces are dropped. */
function cutFragments(fragments: readonly string[], end: number): string[] {
  const kept: string[] = [];
  let position = 0;
  for (const fragment of fragments) {
    if (position >= end) break;
    const piece = position + fragment.length <= end ? fragment : fragment.slice(0, end - position);
    kept.push(piece);
    position += fragment.length;
  }
  return kept;
}
