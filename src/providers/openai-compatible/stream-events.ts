/**
 * Turns OpenAI `chat.completion.chunk`s into the spec's stream events. Stateful: it announces the
 * response once, gives every tool call a start event before its argument deltas, and holds the
 * finish back until usage is known, so that `finish` is the last event of a well-formed stream.
 */
import { randomUUID } from 'node:crypto';
import type { ChatStreamEvent, FinishReason, Usage } from '../spec.js';
import { finishReasonFromOpenAI, newToolCallId, usageFromOpenAI } from './convert.js';
import type { ChatChunk } from './wire-schemas.js';

type ToolCallDelta = NonNullable<NonNullable<NonNullable<ChatChunk['choices']>[number]['delta']>['tool_calls']>[number];

export class OpenAIChunkReader {
  readonly #model: string;
  #started = false;
  #finish: FinishReason | undefined = undefined;
  #usage: Usage | undefined = undefined;
  #ended = false;
  readonly #toolCalls = new Set<number>();

  /** @param model used when the upstream leaves `model` out of its chunks. */
  constructor(model: string) {
    this.#model = model;
  }

  /** True once the answer is complete (finish and usage read); later chunks are ignored. */
  get ended(): boolean {
    return this.#ended;
  }

  read(chunk: ChatChunk, events: ChatStreamEvent[]): void {
    if (this.#ended) return;
    if (!this.#started) {
      this.#started = true;
      events.push({
        type: 'response-start',
        id: chunk.id ?? `chatcmpl-${randomUUID()}`,
        model: chunk.model ?? this.#model,
        created: chunk.created ?? Math.floor(Date.now() / 1000),
      });
    }
    const choice = chunk.choices?.[0];
    const delta = choice?.delta;
    if (delta) {
      if (delta.content) events.push({ type: 'text-delta', text: delta.content });
      if (delta.refusal) events.push({ type: 'refusal-delta', text: delta.refusal });
      const calls = delta.tool_calls;
      if (calls) for (let i = 0; i < calls.length; i++) this.#toolCall(calls[i]!, i, events);
    }
    if (choice?.finish_reason) this.#finish = finishReasonFromOpenAI(choice.finish_reason);
    // Some servers repeat running totals in every chunk: the last one seen is the one that counts.
    const usage = usageFromOpenAI(chunk.usage);
    if (usage !== undefined) this.#usage = usage;
    // Usage comes with the finish or in the chunk right after it; then the answer is complete.
    if (this.#finish !== undefined && usage !== undefined) this.#end(events);
  }

  /**
   * Called at `[DONE]` or the end of the body. Returns false when the upstream never finished,
   * which the caller turns into an error: a cut stream must never look like a short answer.
   */
  end(events: ChatStreamEvent[]): boolean {
    if (this.#finish === undefined) return false;
    this.#end(events);
    return true;
  }

  #end(events: ChatStreamEvent[]): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#usage !== undefined) events.push({ type: 'usage', usage: this.#usage });
    events.push({ type: 'finish', finish_reason: this.#finish ?? 'stop' });
  }

  #toolCall(call: ToolCallDelta, position: number, events: ChatStreamEvent[]): void {
    const index = call.index ?? position;
    if (!this.#toolCalls.has(index)) {
      this.#toolCalls.add(index);
      events.push({ type: 'tool-call-start', index, id: call.id ?? newToolCallId(), name: call.function?.name ?? '' });
    }
    const args = call.function?.arguments;
    if (args) events.push({ type: 'tool-call-delta', index, arguments: args });
  }
}
