/**
 * Rebuilds a `ChatResult` from a live stream's events, so an answer the client received as a
 * stream can be stored like any other. Only a stream that finished yields a result: a cut stream
 * must never become a cached answer.
 */
import type { ChatResult, ChatStreamEvent, FinishReason, ToolCall, Usage } from '../../providers/index.js';

export class StreamCapture {
  private start: { id: string; model: string; created: number } | undefined;
  private text = '';
  private refusal = '';
  private readonly toolCalls: ToolCall[] = [];
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;

  add(event: ChatStreamEvent): void {
    switch (event.type) {
      case 'response-start':
        this.start = { id: event.id, model: event.model, created: event.created };
        break;
      case 'text-delta':
        this.text += event.text;
        break;
      case 'refusal-delta':
        this.refusal += event.text;
        break;
      case 'tool-call-start':
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

  /** The finished answer, or undefined when the stream never started or never finished. */
  result(): ChatResult | undefined {
    if (this.start === undefined || this.finishReason === undefined) return undefined;
    const calls = this.toolCalls.filter(Boolean);
    const message: ChatResult['message'] = {
      role: 'assistant',
      content: this.text === '' && (calls.length > 0 || this.refusal !== '') ? null : this.text,
    };
    if (calls.length > 0) message.tool_calls = calls;
    if (this.refusal !== '') message.refusal = this.refusal;
    const result: ChatResult = { ...this.start, message, finish_reason: this.finishReason };
    if (this.usage !== undefined) result.usage = this.usage;
    return result;
  }
}
