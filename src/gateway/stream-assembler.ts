import { performance } from 'node:perf_hooks';
import type { ChatResult, ChatStreamEvent, FinishReason, ToolCall, Usage } from '../providers/index.js';

/**
 * Follows a stream's events once, for everyone who needs them: the trace (what was said, when
 * the first token came, whether it finished), budget checks, and the cache, which stores the
 * rebuilt answer — only from a stream that started and finished, so a cut stream never becomes
 * a cached answer.
 */
export class StreamAssembler {
  private start: { id: string; model: string; created: number } | undefined;
  private text = '';
  private refusal = '';
  private readonly toolCalls: ToolCall[] = [];
  finishReason: FinishReason | undefined;
  usage: Usage | undefined;
  firstTokenAt: number | undefined;

  add(event: ChatStreamEvent): void {
    switch (event.type) {
      case 'response-start':
        this.start = { id: event.id, model: event.model, created: event.created };
        break;
      case 'text-delta':
        this.firstTokenAt ??= performance.now();
        this.text += event.text;
        break;
      case 'refusal-delta':
        this.firstTokenAt ??= performance.now();
        this.refusal += event.text;
        break;
      case 'tool-call-start':
        this.firstTokenAt ??= performance.now();
        this.toolCalls[event.index] = { id: event.id, type: 'function', function: { name: event.name, arguments: '' } };
        break;
      case 'tool-call-delta': {
        const call = this.toolCalls[event.index];
        if (call) call.function.arguments += event.arguments;
        break;
      }
      case 'finish':
        this.finishReason = event.finish_reason;
        break;
      case 'usage':
        this.usage = event.usage;
        break;
    }
  }

  get message(): ChatResult['message'] {
    const calls = this.toolCalls.filter(Boolean);
    const message: ChatResult['message'] = {
      role: 'assistant',
      content: this.text === '' && (calls.length > 0 || this.refusal !== '') ? null : this.text,
    };
    if (calls.length > 0) message.tool_calls = calls;
    if (this.refusal !== '') message.refusal = this.refusal;
    return message;
  }

  /** What was said so far, stored as the trace's response body. */
  snapshot(): { message: ChatResult['message']; finish_reason: FinishReason | null } {
    return { message: this.message, finish_reason: this.finishReason ?? null };
  }

  /** The finished answer, or undefined when the stream never started or never finished. */
  result(): ChatResult | undefined {
    if (this.start === undefined || this.finishReason === undefined) return undefined;
    const result: ChatResult = { ...this.start, message: this.message, finish_reason: this.finishReason };
    if (this.usage !== undefined) result.usage = this.usage;
    return result;
  }
}
