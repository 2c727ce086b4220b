/**
 * Opening a stream means waiting for its first real event (a token, a tool call, or the finish):
 * until then nothing has reached the client, so a failure — or silence past the
 * time-to-first-token limit — can still fall back to another target transparently.
 */
import { FenerError } from '../core/index.js';
import type { ChatStreamEvent } from '../providers/index.js';

export interface OpenedStream {
  /** Events already read while waiting for the first real one, to be sent first. */
  head: ChatStreamEvent[];
  iterator: AsyncIterator<ChatStreamEvent>;
}

function isFirstContent(event: ChatStreamEvent): boolean {
  return event.type === 'text-delta' || event.type === 'refusal-delta' || event.type === 'tool-call-start' || event.type === 'finish';
}

export async function openStream(
  events: AsyncIterable<ChatStreamEvent>,
  options: { ttftTimeoutMs?: number; target: string },
): Promise<OpenedStream> {
  const iterator = events[Symbol.asyncIterator]();
  const head: ChatStreamEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout =
    options.ttftTimeoutMs === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new FenerError('upstream_timeout', `target "${options.target}" sent no token within ${options.ttftTimeoutMs} ms`)),
            options.ttftTimeoutMs,
          );
        });
  try {
    for (;;) {
      const next = await (timeout ? Promise.race([iterator.next(), timeout]) : iterator.next());
      if (next.done) throw new FenerError('upstream_error', `target "${options.target}" ended its stream before any token`);
      head.push(next.value);
      if (isFirstContent(next.value)) return { head, iterator };
    }
  } catch (error) {
    // Release the upstream connection of an attempt that will not be used.
    void iterator.return?.().catch(() => undefined);
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
