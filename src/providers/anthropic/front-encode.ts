/**
 * Encodes a `ChatResult` as the `message` object Anthropic's Messages API returns.
 */
import type { ChatResult, FinishReason, Usage } from '../spec.js';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'refusal';

export interface AnthropicUsageBody {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
}

export type AnthropicContentBody =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessageBody {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBody[];
  stop_reason: AnthropicStopReason;
  stop_sequence: null;
  usage: AnthropicUsageBody;
}

const stopReasons: Record<FinishReason, AnthropicStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

export function stopReasonToAnthropic(reason: FinishReason): AnthropicStopReason {
  return stopReasons[reason];
}

/** Anthropic's `input_tokens` leaves out cache reads, which it reports on their own. */
export function usageToAnthropic(usage: Usage | undefined): AnthropicUsageBody {
  const cached = usage?.cached_input_tokens;
  return {
    input_tokens: (usage?.input_tokens ?? 0) - (cached ?? 0),
    output_tokens: usage?.output_tokens ?? 0,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: cached ?? null,
  };
}

/** Tool arguments are a JSON string in the spec and an object for Anthropic clients. */
export function toolInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // a model that wrote broken JSON: the client gets an empty input rather than a failed response
  }
  return {};
}

export function chatResultToAnthropic(result: ChatResult, options: { model: string; id?: string }): AnthropicMessageBody {
  const content: AnthropicContentBody[] = [];
  const text = (result.message.content ?? '') + (result.message.refusal ?? '');
  if (text !== '') content.push({ type: 'text', text });
  for (const call of result.message.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return {
    id: options.id ?? result.id,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: stopReasonToAnthropic(result.finish_reason),
    stop_sequence: null,
    usage: usageToAnthropic(result.usage),
  };
}
