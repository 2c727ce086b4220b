/**
 * A cached answer, told again as a stream: a client that asked for `stream: true` gets the same
 * events a live call would send, so it cannot tell (and need not care) where the answer came from.
 */
import type { ChatResult, ChatStreamEvent } from '../../providers/index.js';

export interface ReplayOptions {
  /** Words per text event (default 4): small enough to look like a live stream, few enough to be cheap. */
  wordsPerChunk?: number;
  /** Characters of tool-call arguments per event (default 64). */
  argumentCharsPerChunk?: number;
}

/**
 * Splits text into chunks of a few words without losing a character: every piece is a word with
 * the whitespace after it, so joining the chunks gives back the text exactly.
 */
export function chunkWords(text: string, wordsPerChunk: number): string[] {
  if (text === '') return [];
  const words = text.split(/(?<=\s)(?=\S)/);
  const chunks: string[] = [];
  for (let start = 0; start < words.length; start += wordsPerChunk) chunks.push(words.slice(start, start + wordsPerChunk).join(''));
  return chunks;
}

function chunkChars(text: string, size: number): string[] {
  const chunks: string[] = [];
  // Array.from walks code points, so a chunk boundary never splits a surrogate pair.
  const characters = Array.from(text);
  for (let start = 0; start < characters.length; start += size) chunks.push(characters.slice(start, start + size).join(''));
  return chunks;
}

export async function* replayAsStream(result: ChatResult, options: ReplayOptions = {}): AsyncGenerator<ChatStreamEvent> {
  const words = Math.max(1, options.wordsPerChunk ?? 4);
  const chars = Math.max(1, options.argumentCharsPerChunk ?? 64);
  yield { type: 'response-start', id: result.id, model: result.model, created: result.created };
  for (const text of chunkWords(result.message.refusal ?? '', words)) yield { type: 'refusal-delta', text };
  for (const text of chunkWords(result.message.content ?? '', words)) yield { type: 'text-delta', text };
  const calls = result.message.tool_calls ?? [];
  for (const [index, call] of calls.entries()) {
    yield { type: 'tool-call-start', index, id: call.id, name: call.function.name };
    for (const piece of chunkChars(call.function.arguments, chars)) yield { type: 'tool-call-delta', index, arguments: piece };
  }
  yield { type: 'finish', finish_reason: result.finish_reason };
  if (result.usage !== undefined) yield { type: 'usage', usage: result.usage };
}
