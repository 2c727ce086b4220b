/**
 * Encodes a `ChatResult` as the exact `chat.completion` object OpenAI returns, so official clients
 * and tools that read OpenAI responses field by field see no difference.
 */
import type { ChatResult, FinishReason, ToolCall, Usage } from '../spec.js';

export interface OpenAIUsageBody {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export interface OpenAIChatCompletionBody {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [
    {
      index: 0;
      message: {
        role: 'assistant';
        content: string | null;
        refusal: string | null;
        tool_calls?: ToolCall[];
        annotations: [];
      };
      logprobs: null;
      finish_reason: FinishReason;
    },
  ];
  usage?: OpenAIUsageBody;
  system_fingerprint: string | null;
}

export interface EncodeOptions {
  /** The model name the client asked for (not the upstream's id). */
  model: string;
  /** Overrides the upstream's response id (e.g. with the gateway's own). */
  id?: string;
}

export function usageToOpenAI(usage: Usage): OpenAIUsageBody {
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.input_tokens + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_input_tokens ?? 0 },
  };
}

/** @example chatResultToOpenAI(result, { model: 'my-alias' }).choices[0].message.content */
export function chatResultToOpenAI(result: ChatResult, options: EncodeOptions): OpenAIChatCompletionBody {
  const message: OpenAIChatCompletionBody['choices'][0]['message'] = {
    role: 'assistant',
    content: result.message.content,
    refusal: result.message.refusal ?? null,
    annotations: [],
  };
  if (result.message.tool_calls !== undefined && result.message.tool_calls.length > 0) {
    message.tool_calls = result.message.tool_calls;
  }
  const body: OpenAIChatCompletionBody = {
    id: options.id ?? result.id,
    object: 'chat.completion',
    created: result.created,
    model: options.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: result.finish_reason }],
    system_fingerprint: result.system_fingerprint ?? null,
  };
  if (result.usage !== undefined) body.usage = usageToOpenAI(result.usage);
  return body;
}
