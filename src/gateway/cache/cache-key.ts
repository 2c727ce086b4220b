/**
 * What makes two chat requests "the same question" for the cache. Everything that can change
 * the answer is part of the key; what cannot (the client's alias for the model, the `user`
 * field kept for abuse tracking, our own `fener` control block) is left out so it does not
 * split the cache. The project is always part of the key: projects never share answers.
 */
import type { ChatMessage, ChatRequest } from '../../providers/index.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

/** Bumped when the key material changes shape, so old entries are never read with a new meaning. */
const keyVersion = 1;

export interface CacheKeyInput {
  /** The request after guardrails (redaction changes the messages, so it changes the key). */
  request: ChatRequest;
  /**
   * The resolved model the call goes to (e.g. `ResolvedModel.name`, or `provider/upstream` for a
   * routed target); `request.model` is ignored because aliases of one model share answers.
   */
  model: string;
  /** The caller's project. Keys without a project should pass a stable stand-in (e.g. `admin`). */
  projectId: string;
}

/** The parameters of a request that shape its answer, besides the messages. */
function parameters(request: ChatRequest): Record<string, unknown> {
  return {
    tools: request.tools,
    tool_choice: request.tool_choice,
    parallel_tool_calls: request.parallel_tool_calls,
    response_format: request.response_format,
    temperature: request.temperature,
    top_p: request.top_p,
    max_tokens: request.max_tokens,
    stop: request.stop,
    seed: request.seed,
    presence_penalty: request.presence_penalty,
    frequency_penalty: request.frequency_penalty,
    extra: extraWithoutControl(request.extra),
  };
}

function extraWithoutControl(extra: ChatRequest['extra']): Record<string, unknown> | undefined {
  if (extra === undefined || !('fener' in extra)) return extra;
  const { fener: _control, ...rest } = extra;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/** The hex SHA-256 that names a request's exact-match entry. */
export function responseKeyHash(input: CacheKeyInput): string {
  const material = parameters(input.request);
  material.v = keyVersion;
  material.kind = 'response';
  material.project = input.projectId;
  material.model = input.model;
  material.messages = input.request.messages;
  return sha256Hex(canonicalJson(material));
}

/** The last message, when it is a user's question made of text only (what the semantic cache embeds). */
export function lastUserText(messages: readonly ChatMessage[]): string | undefined {
  const last = messages.at(-1);
  if (last === undefined || last.role !== 'user') return undefined;
  if (typeof last.content === 'string') return last.content;
  // An image changes the question in a way a text embedding cannot see: never match on it.
  if (last.content.some((part) => part.type !== 'text')) return undefined;
  return last.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/**
 * The hex SHA-256 of a semantic scope: the exact key's material with the last user message's
 * text taken out. Only questions asked after the same conversation, with the same tools and the
 * same parameters, can ever answer each other.
 */
export function semanticScopeHash(input: CacheKeyInput): string {
  const messages = input.request.messages;
  const last = messages.at(-1);
  const material = {
    v: keyVersion,
    kind: 'semantic-scope',
    project: input.projectId,
    model: input.model,
    prefix: messages.slice(0, -1),
    last_name: last?.role === 'user' ? last.name : undefined,
  };
  return sha256Hex(canonicalJson({ ...material, ...parameters(input.request) }));
}
