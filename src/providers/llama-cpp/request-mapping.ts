/**
 * From the gateway's chat request to the child's job: text turns and sampling settings. What a
 * local model cannot honour (tools, images, structured output) is refused here, in the
 * gateway process, with the offending field named.
 */
import { FenerError } from '../../core/index.js';
import type { ChatMessage, ChatRequest, ContentPart } from '../spec.js';
import { generationSchema, type Generation, type Turn } from './protocol.js';

export interface ChatJob {
  turns: Turn[];
  generation: Generation;
}

function invalid(message: string, param: string): FenerError {
  return new FenerError('invalid_request', message, { param });
}

function textOf(content: string | ContentPart[] | null, param: string): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (part.type !== 'text') throw invalid('the llama-cpp provider accepts text content only, not images', param);
      return part.text;
    })
    .join('\n');
}

function toTurn(message: ChatMessage, index: number): Turn {
  const param = `messages[${index}]`;
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', text: textOf(message.content, `${param}.content`) };
    case 'user':
      return { role: 'user', text: textOf(message.content, `${param}.content`) };
    case 'assistant':
      if (message.tool_calls !== undefined && message.tool_calls.length > 0) {
        throw invalid('the llama-cpp provider does not support tool calls', `${param}.tool_calls`);
      }
      return { role: 'assistant', text: textOf(message.content, `${param}.content`) };
    case 'tool':
      throw invalid('the llama-cpp provider does not support tool messages', `${param}.role`);
  }
}

function checkUnsupported(request: ChatRequest): void {
  // With tool_choice "none" the tools are only on offer, never to be called: safe to ignore.
  if (request.tools !== undefined && request.tools.length > 0 && request.tool_choice !== 'none') {
    throw invalid('the llama-cpp provider does not support tools (function calling)', 'tools');
  }
  const format = request.response_format?.type;
  if (format !== undefined && format !== 'text') {
    throw invalid(`the llama-cpp provider does not support response_format "${format}"`, 'response_format');
  }
  if (request.messages.length === 0) throw invalid('messages must not be empty', 'messages');
}

/** Named fields, so a bad value is reported as OpenAI would: by its request field. */
const fieldNames: Record<string, string> = {
  maxTokens: 'max_tokens',
  temperature: 'temperature',
  topP: 'top_p',
  seed: 'seed',
  stop: 'stop',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
};

export function toChatJob(request: ChatRequest): ChatJob {
  checkUnsupported(request);
  const turns = request.messages.map(toTurn);
  const parsed = generationSchema.safeParse({
    maxTokens: request.max_tokens,
    // OpenAI's default: a client that names no temperature expects sampling, not greedy decoding.
    temperature: request.temperature ?? 1,
    topP: request.top_p,
    seed: request.seed,
    stop: request.stop ?? [],
    presencePenalty: request.presence_penalty,
    frequencyPenalty: request.frequency_penalty,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    throw invalid(`${fieldNames[field] ?? field}: ${issue?.message ?? 'invalid value'}`, fieldNames[field] ?? field);
  }
  return { turns, generation: parsed.data };
}
