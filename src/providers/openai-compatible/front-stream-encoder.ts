/**
 * Encodes spec stream events as OpenAI's `chat.completion.chunk` SSE frames. Every chunk of one
 * response shares the same envelope, so it is serialised once and only the choice is written per
 * token: this runs once per token on the gateway's hot path.
 */
import { randomUUID } from 'node:crypto';
import type { FenerError } from '../../core/index.js';
import { toOpenAIErrorBody } from '../../core/index.js';
import type { ChatStreamEvent, FinishReason, Usage } from '../spec.js';
import { usageToOpenAI } from './front-encode.js';

export interface OpenAIStreamEncoderOptions {
  /** The model name the client asked for. */
  model: string;
  /** Overrides the upstream's response id. */
  id?: string;
  /** The client sent `stream_options.include_usage`: add `"usage": null` to chunks and a usage chunk at the end. */
  includeUsage: boolean;
}

export const sseDone = 'data: [DONE]\n\n';

/**
 * @example
 * const encoder = new OpenAIStreamEncoder({ model: 'gpt-4o-mini', includeUsage: false });
 * for await (const event of provider.chatStream(request)) response.write(encoder.encode(event));
 * response.end(encoder.end());
 */
export class OpenAIStreamEncoder {
  readonly #options: OpenAIStreamEncoderOptions;
  #head = '';
  #usage: Usage | undefined = undefined;
  #usageEnvelope = '';

  constructor(options: OpenAIStreamEncoderOptions) {
    this.#options = options;
  }

  /** The frames for one event; '' for events that only update state (usage). */
  encode(event: ChatStreamEvent): string {
    switch (event.type) {
      case 'response-start':
        return this.#start(event.id, event.created);
      case 'text-delta':
        return this.#open() + this.#chunk(`{"content":${JSON.stringify(event.text)}}`, null);
      case 'refusal-delta':
        return this.#open() + this.#chunk(`{"refusal":${JSON.stringify(event.text)}}`, null);
      case 'tool-call-start': {
        const call = { index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } };
        return this.#open() + this.#chunk(`{"tool_calls":[${JSON.stringify(call)}]}`, null);
      }
      case 'tool-call-delta': {
        const call = { index: event.index, function: { arguments: event.arguments } };
        return this.#open() + this.#chunk(`{"tool_calls":[${JSON.stringify(call)}]}`, null);
      }
      case 'finish':
        return this.#open() + this.#chunk('{}', event.finish_reason);
      case 'usage':
        this.#usage = event.usage;
        return '';
    }
  }

  /** The closing frames: the usage chunk (when asked for and known), then `[DONE]`. */
  end(usage?: Usage): string {
    const known = usage ?? this.#usage;
    if (!this.#options.includeUsage || known === undefined) return this.#open() + sseDone;
    const chunk = `${this.#usageEnvelope}"choices":[],"usage":${JSON.stringify(usageToOpenAI(known))}}`;
    return `${this.#open()}data: ${chunk}\n\n${sseDone}`;
  }

  /** An error after the first byte, as OpenAI sends it: one `data: {"error": …}` frame, no `[DONE]`. */
  error(error: FenerError): string {
    return `data: ${JSON.stringify(toOpenAIErrorBody(error))}\n\n`;
  }

  #start(upstreamId: string, created: number): string {
    if (this.#head !== '') return '';
    const id = this.#options.id ?? upstreamId;
    const envelope = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(this.#options.model)},"system_fingerprint":null,`;
    this.#usageEnvelope = envelope;
    this.#head = `data: ${envelope}"choices":[{"index":0,"delta":`;
    return this.#chunk('{"role":"assistant","content":"","refusal":null}', null);
  }

  /** Starts the response lazily when the first event is not `response-start`. */
  #open(): string {
    if (this.#head !== '') return '';
    return this.#start(`chatcmpl-${randomUUID()}`, Math.floor(Date.now() / 1000));
  }

  #chunk(delta: string, finishReason: FinishReason | null): string {
    const finish = finishReason === null ? 'null' : `"${finishReason}"`;
    const usage = this.#options.includeUsage ? ',"usage":null' : '';
    return `${this.#head}${delta},"logprobs":null,"finish_reason":${finish}}]${usage}}\n\n`;
  }
}
