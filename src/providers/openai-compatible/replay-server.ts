/**
 * A tiny local HTTP server for adapter tests: it replays recorded upstream answers (fixtures) and
 * can misbehave on purpose (split chunks, reset sockets, cut streams, hang). Test support only;
 * it lives beside the adapters because their tests, and the Anthropic ones, share it.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (or the raw text when it is not JSON). */
  body: unknown;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Writes the body in pieces of this many bytes, each in its own tick. */
  chunkBytes?: number;
  /** Destroys the socket after writing this many bytes of the body (a stream cut mid-way). */
  cutAfterBytes?: number;
  /** Destroys the socket before answering (a connection reset). */
  reset?: boolean;
  /** Never answers. */
  hang?: boolean;
  /** Writes this many bytes of the body, then goes silent with the socket open (a stalled stream). */
  stallAfterBytes?: number;
}

export interface ReplayServer {
  /** e.g. `http://127.0.0.1:54321` (no trailing slash, no path). */
  url: string;
  requests: RecordedRequest[];
  /** TCP connections accepted so far (to check keep-alive reuse). */
  connections(): number;
  close(): Promise<void>;
}

export type ReplyHandler = (request: RecordedRequest) => Reply | Promise<Reply>;

export async function startReplayServer(handler: ReplyHandler): Promise<ReplayServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((incoming, response) => {
    void answer(incoming, response, { handler, requests });
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function answer(
  incoming: IncomingMessage,
  response: ServerResponse,
  context: { handler: ReplyHandler; requests: RecordedRequest[] },
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the raw text
  }
  const recorded = { method: incoming.method ?? '', path: incoming.url ?? '', headers: incoming.headers, body };
  context.requests.push(recorded);
  const reply = await context.handler(recorded);
  if (reply.hang) return;
  if (reply.reset) {
    incoming.socket.destroy();
    return;
  }
  const bytes = Buffer.from(reply.body ?? '', 'utf8');
  response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
  const limit = reply.cutAfterBytes ?? reply.stallAfterBytes ?? bytes.length;
  const step = Math.max(1, reply.chunkBytes ?? bytes.length);
  for (let offset = 0; offset < limit; offset += step) {
    response.write(bytes.subarray(offset, Math.min(offset + step, limit)));
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (reply.stallAfterBytes !== undefined) return;
  if (reply.cutAfterBytes !== undefined) {
    // Give the written bytes a moment to leave before the reset, as a real cut looks.
    setTimeout(() => incoming.socket.destroy(), 5);
    return;
  }
  response.end();
}

/** SSE headers as OpenAI and Anthropic send them. */
export const sseHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
