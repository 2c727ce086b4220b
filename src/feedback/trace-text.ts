/**
 * What a trace said, as text: the request's messages (OpenAI chat, or Anthropic messages with a
 * `system` field) and the answer's text. Bodies are whatever a client sent, so they are parsed
 * leniently: content parts are joined, anything unrecognised yields null rather than a guess.
 */
import { z } from 'zod';

export interface ChatMessage {
  role: string;
  content: string;
}

const part = z.object({ type: z.string(), text: z.string().optional() }).loose();
const content = z.union([z.string(), z.array(part), z.null()]);
const requestShape = z
  .object({
    messages: z.array(z.object({ role: z.string(), content: content.optional() }).loose()),
    system: z.union([z.string(), z.array(part)]).optional(),
  })
  .loose();
const chatResult = z.object({ message: z.object({ content: content.optional() }).loose() }).loose();
const openaiResponse = z
  .object({ choices: z.array(z.object({ message: z.object({ content: content.optional() }).loose() }).loose()) })
  .loose();
const anthropicResponse = z.object({ content: z.array(part) }).loose();

function textOf(value: z.infer<typeof content> | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return value
    .map((item) => item.text ?? '')
    .filter((text) => text !== '')
    .join('\n');
}

/** The messages a call sent, or null when the body is not a chat request (embeddings, say). */
export function traceMessages(requestBody: unknown): ChatMessage[] | null {
  const parsed = requestShape.safeParse(requestBody);
  if (!parsed.success) return null;
  const messages: ChatMessage[] = [];
  if (parsed.data.system !== undefined) messages.push({ role: 'system', content: textOf(parsed.data.system) });
  for (const message of parsed.data.messages) messages.push({ role: message.role, content: textOf(message.content) });
  return messages;
}

/** The answer's text, or null when the call produced none (an error, a tool call only). */
export function traceOutput(responseBody: unknown): string | null {
  const stored = chatResult.safeParse(responseBody);
  if (stored.success)
    return stored.data.message.content === undefined || stored.data.message.content === null ? null : textOf(stored.data.message.content);
  const openai = openaiResponse.safeParse(responseBody);
  if (openai.success) {
    const first = openai.data.choices[0]?.message.content;
    return first === undefined || first === null ? null : textOf(first);
  }
  const anthropic = anthropicResponse.safeParse(responseBody);
  if (anthropic.success) return textOf(anthropic.data.content);
  return null;
}

/** The messages as one readable text, for reviewers in a queue. */
export function messagesAsText(messages: ChatMessage[]): string {
  return messages.map((message) => `${message.role}: ${message.content}`).join('\n\n');
}
