/**
 * `POST /v1/messages` in Anthropic's wire format: the Messages API request, the `message`
 * response and the event stream (`message_start` … `message_stop`) with text and tool use.
 */
import { z } from 'zod';
import { errorBody } from './error-bodies.js';
import { outputTokenCount, planReply, type Reply, type ToolChoice, type ToolSpec } from './reply-plan.js';
import { countTextTokens } from './text-generator.js';
import { anthropicValidationError, requestRandom, responseId, type WireContext, type WireResult } from './wire.js';

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
  is_error: z.boolean().optional(),
});
// Blocks the mock does not read but must not reject (images, documents, thinking).
const otherBlock = z.looseObject({
  type: z.enum(['image', 'document', 'thinking', 'redacted_thinking', 'search_result', 'server_tool_use']),
});
const block = z.union([textBlock, toolUseBlock, toolResultBlock, otherBlock]);
type Block = z.infer<typeof block>;

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(block)]),
});
type Message = z.infer<typeof message>;

const tool = z.looseObject({
  name: z.string().min(1),
  type: z.string().optional(),
  description: z.string().optional(),
  input_schema: z.unknown().optional(),
});
const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('tool'), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
]);

const messagesRequest = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().min(1),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});
type MessagesRequest = z.infer<typeof messagesRequest>;

export function handleMessages(body: unknown, context: WireContext): WireResult {
  const parsed = messagesRequest.safeParse(body);
  if (!parsed.success) return anthropicValidationError(body, parsed.error);
  const request = parsed.data;
  const tools: ToolSpec[] = (request.tools ?? [])
    .filter((entry) => entry.type === undefined || entry.type === 'custom')
    .map((entry) => ({ name: entry.name, schema: entry.input_schema }));
  const choice = readToolChoice(request);
  if (choice.mode === 'named' && !tools.some((spec) => spec.name === choice.name)) {
    const message = `tool_choice.name: Tool '${choice.name}' not found in tools`;
    return { kind: 'json', status: 400, body: errorBody('anthropic', { status: 400, message }) };
  }
  const requestKey = `${request.model}\u0000${JSON.stringify(request.system ?? '')}\u0000${JSON.stringify(request.messages)}`;
  const last = request.messages.at(-1);
  const choiceInput = request.tool_choice;
  const reply = planReply({
    random: requestRandom(context, requestKey),
    outputTokens: context.options.outputTokens,
    maxTokens: request.max_tokens,
    stop: request.stop_sequences ?? [],
    tools,
    toolChoice: choice,
    parallelToolCalls: !(choiceInput && choiceInput.type !== 'none' && choiceInput.disable_parallel_tool_use),
    lastUserText: lastUserText(request.messages),
    endsWithToolResult: last?.role === 'user' && blocksOf(last).some((entry) => entry.type === 'tool_result'),
    format: { type: 'text' },
  });
  const meta: MessageMeta = {
    id: `msg_${responseId(context, requestKey)}`,
    model: request.model,
    inputTokens: countInputTokens(request),
    outputTokens: outputTokenCount(reply),
  };
  return request.stream ? streamMessage(reply, meta) : { kind: 'json', status: 200, body: messageBody(reply, meta) };
}

function readToolChoice(request: MessagesRequest): ToolChoice {
  switch (request.tool_choice?.type) {
    case undefined:
    case 'auto':
      return { mode: 'auto' };
    case 'any':
      return { mode: 'required' };
    case 'none':
      return { mode: 'none' };
    case 'tool':
      return { mode: 'named', name: request.tool_choice.name };
  }
}

function blocksOf(entry: Message): Block[] {
  return typeof entry.content === 'string' ? [{ type: 'text', text: entry.content }] : entry.content;
}

function blockText(entry: Block): string {
  switch (entry.type) {
    case 'text':
      return entry.text;
    case 'tool_use':
      return `${entry.name} ${JSON.stringify(entry.input ?? {})}`;
    case 'tool_result':
      if (typeof entry.content === 'string') return entry.content;
      return (entry.content ?? []).map((part) => part.text ?? '').join('\n');
    default:
      return '';
  }
}

function lastUserText(messages: readonly Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const entry = messages[i];
    if (entry?.role !== 'user') continue;
    return blocksOf(entry)
      .map((part) => (part.type === 'text' ? part.text : ''))
      .join('\n');
  }
  return '';
}

/** Same heuristic as the OpenAI side: `countTextTokens` of every text, plus 3 per message. */
function countInputTokens(request: MessagesRequest): number {
  const system = request.system ?? '';
  let tokens = countTextTokens(typeof system === 'string' ? system : system.map((part) => part.text).join('\n'));
  for (const entry of request.messages) {
    tokens += 3;
    for (const part of blocksOf(entry)) tokens += countTextTokens(blockText(part));
  }
  return tokens;
}

interface MessageMeta {
  id: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

function stopReason(reply: Reply): string {
  if (reply.kind === 'tool_calls') return 'tool_use';
  if (reply.finish === 'length') return 'max_tokens';
  return reply.finish === 'stop_sequence' ? 'stop_sequence' : 'end_turn';
}

function usage(meta: MessageMeta, outputTokens: number): object {
  return {
    input_tokens: meta.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

function messageBody(reply: Reply, meta: MessageMeta): string {
  const content =
    reply.kind === 'text'
      ? [{ type: 'text', text: reply.text }]
      : reply.calls.map((call) => ({
          type: 'tool_use',
          id: `toolu_${call.idPart}`,
          name: call.name,
          input: JSON.parse(call.argumentsJson) as unknown,
        }));
  return JSON.stringify({
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    stop_reason: stopReason(reply),
    stop_sequence: reply.kind === 'text' ? reply.stopSequence : null,
    usage: usage(meta, meta.outputTokens),
  });
}

function event(name: string, data: string): string {
  return `event: ${name}\ndata: ${data}\n\n`;
}

/** Anthropic's order: message_start, content_block_start, ping, deltas, content_block_stop, message_delta, message_stop. */
function streamMessage(reply: Reply, meta: MessageMeta): WireResult {
  const start = {
    type: 'message_start',
    message: {
      id: meta.id,
      type: 'message',
      role: 'assistant',
      model: meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usage(meta, 1),
    },
  };
  const blockStart = (index: number, contentBlock: object): string =>
    event('content_block_start', JSON.stringify({ type: 'content_block_start', index, content_block: contentBlock }));
  const blockStop = (index: number): string => event('content_block_stop', `{"type":"content_block_stop","index":${index}}`);
  // Deltas are the per-token hot path: string templates, one JSON.stringify of the fragment.
  const textDelta = (text: string): string =>
    event('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(text)}}}`);
  const jsonDelta = (index: number, partial: string): string =>
    event(
      'content_block_delta',
      `{"type":"content_block_delta","index":${index},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(partial)}}}`,
    );

  const events: string[] = [];
  let head = event('message_start', JSON.stringify(start));
  let lastIndex = 0;
  if (reply.kind === 'text') {
    head += blockStart(0, { type: 'text', text: '' }) + event('ping', '{"type":"ping"}');
    for (const fragment of reply.fragments) events.push(textDelta(fragment));
  } else {
    reply.calls.forEach((call, index) => {
      const open = blockStart(index, { type: 'tool_use', id: `toolu_${call.idPart}`, name: call.name, input: {} });
      if (index === 0) head += open + event('ping', '{"type":"ping"}');
      else events.push(blockStop(index - 1) + open);
      for (const fragment of call.fragments) events.push(jsonDelta(index, fragment));
      lastIndex = index;
    });
  }
  const messageDelta = {
    type: 'message_delta',
    delta: { stop_reason: stopReason(reply), stop_sequence: reply.kind === 'text' ? reply.stopSequence : null },
    usage: { output_tokens: meta.outputTokens },
  };
  const tail =
    blockStop(lastIndex) + event('message_delta', JSON.stringify(messageDelta)) + event('message_stop', '{"type":"message_stop"}');
  return { kind: 'sse', head, events, tail };
}
