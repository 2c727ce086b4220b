/**
 * Turns Anthropic's stream events into the spec's. Anthropic numbers content blocks (text and
 * tool_use alike); the spec numbers tool calls only, as OpenAI does, so block indexes are mapped.
 */
import type { ChatStreamEvent, FinishReason, Usage } from '../spec.js';
import { finishReasonFromAnthropic, usageFromAnthropic } from './convert-response.js';
import type { AnthropicUsage } from './wire-schemas.js';
import { streamEventSchemas } from './wire-schemas.js';
import type { StreamEventData, StreamEventType } from './wire-schemas.js';

export class AnthropicEventReader {
  readonly #model: string;
  readonly #toolIndexByBlock = new Map<number, number>();
  /** Tool blocks that have not sent any argument text yet. */
  readonly #toolsWithoutArguments = new Set<number>();
  #usage: AnthropicUsage = {};
  #finish: FinishReason | undefined = undefined;
  #ended = false;

  constructor(model: string) {
    this.#model = model;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Reads one event (its `type` and parsed JSON); error events are the caller's to throw. */
  read(type: string, data: unknown, events: ChatStreamEvent[]): void {
    if (this.#ended) return;
    switch (type) {
      case 'message_start': {
        const { message } = parse('message_start', data);
        if (message.usage != null) this.#usage = { ...message.usage };
        const created = Math.floor(Date.now() / 1000);
        events.push({ type: 'response-start', id: message.id, model: message.model ?? this.#model, created });
        return;
      }
      case 'content_block_start':
        return this.#blockStart(parse('content_block_start', data), events);
      case 'content_block_delta':
        return this.#blockDelta(parse('content_block_delta', data), events);
      case 'content_block_stop':
        return this.#blockStop(parse('content_block_stop', data), events);
      case 'message_delta': {
        const delta = parse('message_delta', data);
        this.#finish = finishReasonFromAnthropic(delta.delta.stop_reason);
        // Counts in message_delta are cumulative totals: they replace, never add.
        for (const [key, value] of Object.entries(delta.usage ?? {})) {
          if (value != null) this.#usage[key as keyof AnthropicUsage] = value;
        }
        return;
      }
      case 'message_stop':
        this.end(events);
        return;
      default:
      // ping, and event types Anthropic may add later carry nothing for us
    }
  }

  /** At `message_stop` or the body's end; false when the answer never finished. */
  end(events: ChatStreamEvent[]): boolean {
    if (this.#finish === undefined) return false;
    if (!this.#ended) {
      this.#ended = true;
      const usage: Usage = usageFromAnthropic(this.#usage);
      events.push({ type: 'usage', usage }, { type: 'finish', finish_reason: this.#finish });
    }
    return true;
  }

  #blockStart(start: StreamEventData<'content_block_start'>, events: ChatStreamEvent[]): void {
    const block = start.content_block;
    if (block.type === 'text' && block.text) events.push({ type: 'text-delta', text: block.text });
    if (block.type !== 'tool_use') return;
    const index = this.#toolIndexByBlock.size;
    this.#toolIndexByBlock.set(start.index, index);
    this.#toolsWithoutArguments.add(start.index);
    events.push({ type: 'tool-call-start', index, id: block.id ?? `toolu_${start.index}`, name: block.name ?? '' });
  }

  #blockDelta(delta: StreamEventData<'content_block_delta'>, events: ChatStreamEvent[]): void {
    const { type, text, partial_json: partialJson } = delta.delta;
    if (type === 'text_delta' && text) events.push({ type: 'text-delta', text });
    if (type !== 'input_json_delta' || !partialJson) return;
    const index = this.#toolIndexByBlock.get(delta.index);
    if (index === undefined) return;
    this.#toolsWithoutArguments.delete(delta.index);
    events.push({ type: 'tool-call-delta', index, arguments: partialJson });
  }

  /** A tool without parameters streams no JSON at all; OpenAI-style clients still expect "{}". */
  #blockStop(stop: StreamEventData<'content_block_stop'>, events: ChatStreamEvent[]): void {
    if (!this.#toolsWithoutArguments.delete(stop.index)) return;
    const index = this.#toolIndexByBlock.get(stop.index);
    if (index !== undefined) events.push({ type: 'tool-call-delta', index, arguments: '{}' });
  }
}

/** Parses one event's data with its schema; the thrown ZodError is mapped by the provider. */
function parse<T extends StreamEventType>(type: T, data: unknown): StreamEventData<T> {
  return streamEventSchemas[type].parse(data) as StreamEventData<T>;
}
