/**
 * Socket-level sending: JSON answers after a latency, paced server-sent event streams, and the
 * broken variants that failure injection needs (cut, malformed). Timers are cleared when the
 * client goes away, so an abandoned request costs nothing.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

export function readBody(request: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        ended = true;
        reject(new BodyTooLargeError(`request body exceeds ${limitBytes} bytes`));
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (ended) return;
      ended = true;
      // One chunk is the common case for chat requests: skip the copy Buffer.concat would make.
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => {
      if (!ended) reject(error);
      ended = true;
    });
    request.on('close', () => {
      if (!ended) reject(new Error('client closed the connection before sending the whole body'));
      ended = true;
    });
  });
}

const jsonType = 'application/json';

export interface JsonAnswer {
  status: number;
  body: string;
  /** Sent after this delay; skipped if the client has gone by then. */
  delayMs?: number;
  headers?: OutgoingHttpHeaders;
}

export function sendJson(response: ServerResponse, answer: JsonAnswer): void {
  const send = (): void => {
    if (response.destroyed) return;
    response.writeHead(answer.status, {
      'content-type': jsonType,
      'content-length': Buffer.byteLength(answer.body),
      ...answer.headers,
    });
    response.end(answer.body);
  };
  afterDelay(response, answer.delayMs ?? 0, send);
}

/**
 * Announces the whole body in `content-length`, sends half of it and destroys the socket, so the
 * client sees a body that stops mid-way: a cut for non-streamed requests.
 */
export function sendTruncatedJson(response: ServerResponse, body: string, delayMs: number): void {
  afterDelay(response, delayMs, () => {
    if (response.destroyed) return;
    response.writeHead(200, { 'content-type': jsonType, 'content-length': Buffer.byteLength(body) });
    response.write(body.slice(0, Math.floor(body.length / 2)), () => response.destroy());
  });
}

/** Destroys the socket without an answer, after `delayMs`. */
export function resetConnection(response: ServerResponse, delayMs: number): void {
  afterDelay(response, delayMs, () => response.destroy());
}

function afterDelay(response: ServerResponse, delayMs: number, action: () => void): void {
  if (delayMs <= 0) {
    action();
    return;
  }
  const timer = setTimeout(action, delayMs);
  response.once('close', () => clearTimeout(timer));
}

export interface SseParts {
  head: string;
  events: string[];
  tail: string;
}

export interface StreamPacing {
  ttftMs: number;
  tokensPerSecond: number;
  /** Destroy the socket after this many events, before the tail; undefined streams to the end. */
  cutAfterEvents: number | undefined;
}

const sseHeaders: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

export function sendStream(response: ServerResponse, parts: SseParts, pacing: StreamPacing): void {
  const { head, events, tail } = parts;
  const cutAt = pacing.cutAfterEvents === undefined ? -1 : Math.min(pacing.cutAfterEvents, events.length);
  // The benchmark path: no pacing and no cut, so one write of the whole stream.
  if (pacing.ttftMs <= 0 && pacing.tokensPerSecond <= 0 && cutAt < 0) {
    response.writeHead(200, sseHeaders);
    response.end(head + events.join('') + tail);
    return;
  }
  // Headers go out at once, as real providers send them well before the first token.
  response.writeHead(200, sseHeaders);
  response.flushHeaders();
  const interval = pacing.tokensPerSecond > 0 ? 1000 / pacing.tokensPerSecond : 0;
  let sent = 0;
  let startedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    if (response.destroyed) return;
    const elapsed = performance.now() - startedAt;
    let out = sent === 0 ? head : '';
    // Batches every event that is due, so a high token rate is kept even with coarse timers.
    while (sent < events.length && sent !== cutAt && sent * interval <= elapsed) out += events[sent++];
    if (sent === cutAt) {
      response.write(out, () => response.destroy());
    } else if (sent === events.length) {
      response.end(out + tail);
    } else {
      response.write(out);
      timer = setTimeout(tick, sent * interval - elapsed);
    }
  };
  timer = setTimeout(() => {
    startedAt = performance.now();
    tick();
  }, pacing.ttftMs);
  response.once('close', () => clearTimeout(timer));
}

/**
 * A copy of an event whose last `data:` line stops half-way through its JSON; inserted after the
 * first token so the client has already started parsing when it meets the broken line.
 */
export function withMalformedEvent(parts: SseParts): SseParts {
  const source = parts.events[0] ?? parts.head;
  const dataStart = source.lastIndexOf('data: ') + 'data: '.length;
  const dataEnd = source.indexOf('\n', dataStart);
  const json = source.slice(dataStart, dataEnd < 0 ? source.length : dataEnd);
  const broken = source.slice(0, dataStart) + json.slice(0, Math.floor(json.length / 2)) + '\n\n';
  return { head: parts.head, events: [...parts.events.slice(0, 1), broken, ...parts.events.slice(1)], tail: parts.tail };
}
