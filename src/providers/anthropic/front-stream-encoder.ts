/**
 * Encodes spec stream events as Anthropic's SSE events, in the order its SDKs expect:
 * `message_start`, then per block `content_block_start` / `content_block_delta`* /
 * `content_block_stop`, then `message_delta` (stop reason, usage) and `message_stop`.
 */
import { randomUUID } from 'node:crypto';
import type { FenerError } from '../../core/index.js';
import type { ChatStreamEvent, FinishReason, Usage } from '../spec.js';
import { anthropicErrorEvent } from './front-errors.js';
import { stopReasonToAnthropic, usageToAnthropic } from './front-encode.js';

export interface AnthropicStreamEncoderOptions {
  /** The model name the client asked for. */
  model: string;
  /** Overrides the upstream's message id. */
  id?: string;
  /** Prompt tokens for `message_start`, when known before the answer (the final count follows in `message_delta`). */
  inputTokens?: number;
}

function frame(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * @example
 * const encoder = new AnthropicStreamEncoder({ model: 'claude-sonnet' });
 * for await (const event of provider.chatStream(request)) response.write(encoder.encode(event));
 * response.end(encoder.end());
 */
export class AnthropicStreamEncoder {
  readonly #options: AnthropicStreamEncoderOptions;
  #started = false;
  #nextBlock = 0;
  #open: { kind: 'text' | 'tool_use'; index: number } | undefined = undefined;
  readonly #blockOfTool = new Map<number, number>();
  #finish: FinishReason = 'stop';
  #usage: Usage | undefined = undefined;

  constructor(options: AnthropicStreamEncoderOptions) {
    this.#options = options;
  }

  encode(event: ChatStreamEvent): string {
    switch (event.type) {
      case 'response-start':
        return this.#start(event.id);
      case 'text-delta':
      case 'refusal-delta': {
        if (event.text === '') return this.#start();
        const open = this.#openText();
        const delta = { type: 'content_block_delta', index: this.#open!.index, delta: { type: 'text_delta', text: event.text } };
        return open + frame('content_block_delta', delta);
      }
      case 'tool-call-start':
        return this.#openTool(event.index, event.id, event.name);
      case 'tool-call-delta': {
        // Anthropic's blocks never interleave; a late delta for an earlier call still names that
        // call's block, which the SDKs accumulate by index.
        const index = this.#blockOfTool.get(event.index);
        if (index === undefined || event.arguments === '') return '';
        const delta = { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: event.arguments } };
        return frame('content_block_delta', delta);
      }
      case 'finish':
        this.#finish = event.finish_reason;
        return this.#start() + this.#close();
      case 'usage':
        this.#usage = event.usage;
        return '';
    }
  }

  /** The closing events: the open block's stop, `message_delta` with the stop reason and usage, `message_stop`. */
  end(usage?: Usage): string {
    const final = usageToAnthropic(usage ?? this.#usage);
    const delta = {
      type: 'message_delta',
      delta: { stop_reason: stopReasonToAnthropic(this.#finish), stop_sequence: null },
      usage: final,
    };
    return this.#start() + this.#close() + frame('message_delta', delta) + frame('message_stop', { type: 'message_stop' });
  }

  /** A failure after the first byte. */
  error(error: FenerError): string {
    return anthropicErrorEvent(error);
  }

  #start(upstreamId?: string): string {
    if (this.#started) return '';
    this.#started = true;
    const message = {
      id: this.#options.id ?? upstreamId ?? `msg_${randomUUID().replaceAll('-', '')}`,
      type: 'message',
      role: 'assistant',
      model: this.#options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: this.#options.inputTokens ?? 0,
        output_tokens: 0,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
      },
    };
    return frame('message_start', { type: 'message_start', message });
  }

  #close(): string {
    if (this.#open === undefined) return '';
    const index = this.#open.index;
    this.#open = undefined;
    return frame('content_block_stop', { type: 'content_block_stop', index });
  }

  #openText(): string {
    if (this.#open?.kind === 'text') return '';
    const out = this.#start() + this.#close();
    const index = this.#nextBlock++;
    this.#open = { kind: 'text', index };
    return out + frame('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
  }

  #openTool(toolIndex: number, id: string, name: string): string {
    const out = this.#start() + this.#close();
    const index = this.#nextBlock++;
    this.#open = { kind: 'tool_use', index };
    this.#blockOfTool.set(toolIndex, index);
    const block = { type: 'tool_use', id, name, input: {} };
    return out + frame('content_block_start', { type: 'content_block_start', index, content_block: block });
  }
}
