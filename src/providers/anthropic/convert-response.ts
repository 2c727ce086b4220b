/**
 * Anthropic → provider spec: the `message` object, usage and stop reasons.
 */
import type { ChatResult, FinishReason, ToolCall, Usage } from '../spec.js';
import type { AnthropicMessage, AnthropicUsage } from './wire-schemas.js';

/**
 * Anthropic counts cache reads and writes apart from `input_tokens`; the spec's `input_tokens` is
 * the whole prompt (OpenAI's `prompt_tokens`), with cache reads as `cached_input_tokens`.
 */
export function usageFromAnthropic(usage: AnthropicUsage): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const result: Usage = {
    input_tokens: (usage.input_tokens ?? 0) + cacheRead + cacheWrite,
    output_tokens: usage.output_tokens ?? 0,
  };
  if (usage.cache_read_input_tokens != null) result.cached_input_tokens = cacheRead;
  return result;
}

export function finishReasonFromAnthropic(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn, and whatever Anthropic adds next
      return 'stop';
  }
}

export function chatResultFromAnthropic(message: AnthropicMessage, requestedModel: string): ChatResult {
  let text: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text' && block.text !== undefined) text = (text ?? '') + block.text;
    if (block.type === 'tool_use' && block.id !== undefined && block.name !== undefined) {
      const args = JSON.stringify(block.input ?? {});
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: args } });
    }
  }
  const result: ChatResult = {
    id: message.id,
    model: message.model ?? requestedModel,
    // Anthropic's message carries no timestamp; the time it arrived is the closest truth.
    created: Math.floor(Date.now() / 1000),
    message: { role: 'assistant', content: text },
    finish_reason: finishReasonFromAnthropic(message.stop_reason),
  };
  if (toolCalls.length > 0) result.message.tool_calls = toolCalls;
  if (message.usage != null) result.usage = usageFromAnthropic(message.usage);
  return result;
}
