import { performance } from 'node:perf_hooks';
import type { ChatStreamEvent, FinishReason, ToolCall, Usage } from '../providers/index.js';

/**
 * Follows a stream's events to know what was said (for the trace), when the first token came,
 * and whether the stream finished properly.
 */
export class StreamAssembler {
  private text = '';
  private readonly toolCalls: ToolCall[] = [];
  finishReason: FinishReason | undefined;
  usage: Usage | undefined;
  firstTokenAt: number | undefined;

  add(event: ChatStreamEvent): void {
    switch (event.type) {
      case 'text-delta':
      case 'refusal-delta':
        this.firstTokenAt ??= performance.now();
        this.text += event.text;
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
      case 'response-start':
        break;
    }
  }

  get message(): { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] } {
    const calls = this.toolCalls.filter(Boolean);
    return {
      role: 'assistant',
      content: this.text === '' && calls.length > 0 ? null : this.text,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    };
  }

  /** The assembled answer, stored as the trace's response body. */
  snapshot(): { message: StreamAssembler['message']; finish_reason: FinishReason | null } {
    return { message: this.message, finish_reason: this.finishReason ?? null };
  }
}
