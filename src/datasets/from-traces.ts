/**
 * Items from production traces: the request's messages become the input, the answer the
 * expected output, and the trace's id the item id (so a trace taken twice is one item). Traces
 * are read a page at a time through the trace store's cursor.
 */
import { z } from 'zod';
import type { Store, Trace, TraceFilter } from '../store/index.js';
import type { ItemMessage } from './item.js';
import type { ParsedLine } from './jsonl.js';
import { parseRecord } from './record.js';

export interface TraceSelection {
  projectId?: string;
  model?: string;
  status?: 'ok' | 'error';
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  /** At most this many traces (newest first). */
  limit?: number;
}

const partSchema = z.object({ type: z.string(), text: z.string().optional() }).loose();
const requestSchema = z
  .object({
    messages: z.array(
      z
        .object({
          role: z.string(),
          content: z.union([z.string(), z.array(partSchema), z.null()]).optional(),
          name: z.string().optional(),
        })
        .loose(),
    ),
    system: z.union([z.string(), z.array(partSchema)]).optional(),
  })
  .loose();
const contentSchema = z.object({ content: z.string().nullable() }).loose();
/** Fener's own record of a chat result, OpenAI's wire shape, and Anthropic's. */
const fenerResult = z.object({ message: contentSchema }).loose();
const openaiResult = z.object({ choices: z.array(z.object({ message: contentSchema }).loose()).min(1) }).loose();
const anthropicResult = z.object({ content: z.array(partSchema) }).loose();

function text(content: string | { text?: string | undefined }[] | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text ?? '').join('');
}

function answerOf(body: unknown): string | undefined {
  const fener = fenerResult.safeParse(body);
  if (fener.success) return fener.data.message.content ?? undefined;
  const openai = openaiResult.safeParse(body);
  if (openai.success) return openai.data.choices[0]?.message.content ?? undefined;
  const anthropic = anthropicResult.safeParse(body);
  return anthropic.success ? text(anthropic.data.content) : undefined;
}

/** A trace → a record for `parseRecord`; a string says why the trace cannot be an item. */
export function traceRecord(trace: Trace): Record<string, unknown> | string {
  const request = requestSchema.safeParse(trace.request_body);
  if (!request.success) return 'the trace has no chat messages (bodies not captured, or not a chat call)';
  const messages: ItemMessage[] = [];
  if (request.data.system !== undefined) messages.push({ role: 'system', content: text(request.data.system) });
  for (const message of request.data.messages) {
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(message.role)) return `unsupported role "${message.role}"`;
    messages.push({ role: message.role as ItemMessage['role'], content: text(message.content) });
  }
  const answer = answerOf(trace.response_body);
  const metadata = {
    trace_id: trace.id,
    model: trace.model,
    created_at: trace.created_at,
    status: trace.status,
    ...(trace.metadata ? { trace_metadata: trace.metadata } : {}),
  };
  return { id: trace.id, messages, ...(answer === undefined || answer === '' ? {} : { expected: answer }), metadata };
}

export async function* traceRecords(store: Store, selection: TraceSelection): AsyncGenerator<ParsedLine> {
  const filter: TraceFilter = { limit: 500 };
  if (selection.projectId !== undefined) filter.projectId = selection.projectId;
  if (selection.model !== undefined) filter.model = selection.model;
  if (selection.status !== undefined) filter.status = selection.status;
  if (selection.from !== undefined) filter.from = selection.from;
  if (selection.to !== undefined) filter.to = selection.to;
  let seen = 0;
  const limit = selection.limit ?? Number.POSITIVE_INFINITY;
  for (;;) {
    const page = await store.traces.list(filter);
    for (const trace of page.data) {
      if (seen >= limit) return;
      seen++;
      const record = traceRecord(trace);
      yield {
        line: seen,
        result: typeof record === 'string' ? { ok: false, reason: `trace ${trace.id}: ${record}` } : parseRecord(record),
      };
    }
    if (page.next_cursor === null) return;
    filter.cursor = page.next_cursor;
  }
}
