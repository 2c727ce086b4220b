/** Writing a server-sent-event stream on a hijacked reply, with back-pressure and error frames. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { once } from 'node:events';
import type { FenerError } from '../../core/index.js';
import { logError, toFenerError } from '../errors.js';

export interface SseWriter {
  write(frame: string): Promise<void>;
  end(frame: string): void;
  /** The client went away: stop producing. */
  readonly closed: boolean;
}

export function openSse(request: FastifyRequest, reply: FastifyReply, headers: Record<string, string>): SseWriter {
  void reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': request.id,
    ...headers,
  });
  return {
    async write(frame) {
      if (frame === '' || raw.destroyed) return;
      if (!raw.write(frame)) await once(raw, 'drain');
    },
    end(frame) {
      if (!raw.destroyed) raw.end(frame);
    },
    get closed() {
      return raw.destroyed;
    },
  };
}

/**
 * Streams events through an encoder. A failure after the first byte cannot change the status
 * any more, so it ends the stream with an explicit error frame — never a silent truncation.
 */
export async function pipeEvents<Event>(options: {
  request: FastifyRequest;
  writer: SseWriter;
  events: AsyncIterable<Event>;
  encode(event: Event): string;
  finish(): string;
  fail(error: FenerError): string;
}): Promise<void> {
  const { writer } = options;
  try {
    for await (const event of options.events) {
      // Leaving the loop ends the stream upstream too, and its trace records the cancellation.
      if (writer.closed) return;
      await writer.write(options.encode(event));
    }
    writer.end(options.finish());
  } catch (error) {
    const fenerError = toFenerError(error);
    logError(fenerError, options.request, error);
    writer.end(options.fail(fenerError));
  }
}
