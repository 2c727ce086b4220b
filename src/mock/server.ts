/**
 * The mock provider's HTTP server: routing, the failure decisions, stats and run-time
 * configuration. Plain `node:http` on purpose: in benchmarks this process is the upstream and
 * must never be the bottleneck, so there is no framework between the socket and the handlers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleMessages } from './anthropic-messages.js';
import { errorBody, injectedErrorBody, type Dialect } from './error-bodies.js';
import { applicableFailure, decideFailure, failureHeader, parseFailureHeader, wantsRetryAfter, type FailureDecision } from './failures.js';
import { BodyTooLargeError, readBody, resetConnection, sendJson, sendStream, sendTruncatedJson, withMalformedEvent } from './http-io.js';
import { handleChatCompletion } from './openai-chat.js';
import { handleEmbeddings, handleListModels, handleRetrieveModel } from './openai-embeddings.js';
import {
  defaultOptions,
  formatOptionsError,
  mergeOptions,
  mockProviderOptionsSchema,
  runtimeOptionsSchema,
  type MockProviderOptions,
  type ResolvedOptions,
} from './options.js';
import { createRandom, type Random } from './random.js';
import type { WireContext, WireResult } from './wire.js';

export interface MockStats {
  /** Requests to provider routes (`/v1/*` and unknown paths); `/_mock/*` and `/healthz` are not counted. */
  requests: number;
  /** Counts by route, e.g. `/v1/chat/completions`; unknown paths share the key `(unmatched)`. */
  byPath: Record<string, number>;
  failuresInjected: number;
}

export interface MockProvider {
  /** Base URL without `/v1`, e.g. `http://127.0.0.1:4100`. */
  url: string;
  port: number;
  /** Stops listening and destroys open connections, hanging and streaming ones included. */
  close(): Promise<void>;
  stats(): MockStats;
  /** Changes behaviour at run time; throws, naming the field, on an invalid value. */
  configure(options: Partial<MockProviderOptions>): void;
}

const maxBodyBytes = 16 * 1024 * 1024;

/** POST routes parse and validate a JSON body; GET routes answer from the path alone. */
type ProviderRoute = { key: string; dialect: Dialect } & (
  { method: 'POST'; handle: (body: unknown, context: WireContext) => WireResult } | { method: 'GET'; handle: (path: string) => WireResult }
);

const routes = new Map<string, ProviderRoute>([
  ['/v1/chat/completions', { key: '/v1/chat/completions', dialect: 'openai', method: 'POST', handle: handleChatCompletion }],
  ['/v1/embeddings', { key: '/v1/embeddings', dialect: 'openai', method: 'POST', handle: handleEmbeddings }],
  ['/v1/messages', { key: '/v1/messages', dialect: 'anthropic', method: 'POST', handle: handleMessages }],
  ['/v1/models', { key: '/v1/models', dialect: 'openai', method: 'GET', handle: () => handleListModels() }],
]);
const modelRoute: ProviderRoute = {
  key: '/v1/models/{model}',
  dialect: 'openai',
  method: 'GET',
  handle: (path) => handleRetrieveModel(decodePathSegment(path.slice('/v1/models/'.length))),
};

/** A malformed escape (`%E0%A4%A`) is taken literally rather than failing the request. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

class MockProviderServer {
  options: ResolvedOptions;
  private failureRandom: Random;
  private sequence = 0;
  private readonly counts = { requests: 0, failuresInjected: 0, byPath: new Map<string, number>() };

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.failureRandom = createRandom(options.seed);
  }

  /** Takes unknown input because `POST /_mock/config` hands over a body nobody has checked yet. */
  configure(patch: unknown): ResolvedOptions {
    const parsed = runtimeOptionsSchema.safeParse(patch);
    if (!parsed.success) throw new Error(`invalid mock provider options: ${formatOptionsError(parsed.error)}`);
    this.options = mergeOptions(this.options, parsed.data);
    // A new seed restarts the failure sequence, so "configure seed 7" replays like a fresh start.
    if (parsed.data.seed !== undefined) this.failureRandom = createRandom(parsed.data.seed);
    return this.options;
  }

  stats(): MockStats {
    return {
      requests: this.counts.requests,
      byPath: Object.fromEntries(this.counts.byPath),
      failuresInjected: this.counts.failuresInjected,
    };
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (path.startsWith('/_mock/') || path === '/healthz') {
      this.handleControl(request, response, path);
      return;
    }
    const route = routes.get(path) ?? (path.startsWith('/v1/models/') ? modelRoute : undefined);
    this.count(route?.key ?? '(unmatched)');
    const dialect: Dialect = route?.dialect ?? (path.startsWith('/v1/messages') ? 'anthropic' : 'openai');
    if (!route) {
      const message = `Invalid URL (${request.method ?? 'GET'} ${path})`;
      sendJson(response, { status: 404, body: errorBody(dialect, { status: 404, message }) });
      return;
    }
    if (request.method !== route.method) {
      const message = `Method ${request.method ?? ''} not allowed on ${path}; use ${route.method}.`;
      sendJson(response, { status: 405, body: errorBody(dialect, { status: 405, message }), headers: { allow: route.method } });
      return;
    }
    // Drawn on arrival, before the body is read, so concurrent uploads cannot reorder the sequence.
    const drawn = decideFailure(this.failureRandom(), this.options.failures);
    const forced = parseFailureHeader(request.headers[failureHeader]);
    if (typeof forced === 'string') {
      sendJson(response, { status: 400, body: errorBody(dialect, { status: 400, message: forced }) });
      return;
    }
    this.serve({ request, response, path, route, failure: forced ?? drawn }).catch((error: unknown) => {
      // A bug in a handler must cost one request, never the server (and never a stack trace).
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const message = `The mock provider failed: ${error instanceof Error ? error.message : String(error)}`;
      sendJson(response, { status: 500, body: errorBody(dialect, { status: 500, message }) });
    });
  }

  private async serve(exchange: Exchange): Promise<void> {
    const { response, route, failure } = exchange;
    const options = this.options;
    const context: WireContext = { options, sequence: this.sequence++, nowSeconds: Math.floor(Date.now() / 1000) };
    const raw = route.method === 'POST' ? await this.readOrReject(exchange) : '';
    if (raw === undefined) return;
    if (failure.kind === 'timeout' || failure.kind === 'reset' || failure.kind === 'error') {
      this.counts.failuresInjected++;
      this.injectBeforeAnswer(exchange, options);
      return;
    }
    let result: WireResult;
    if (route.method === 'GET') {
      result = route.handle(exchange.path);
    } else {
      const body = parseJson(raw);
      if (body === invalidJson) {
        const message = 'We could not parse the JSON body of your request.';
        sendJson(response, { status: 400, body: errorBody(route.dialect, { status: 400, message, code: 'invalid_json' }) });
        return;
      }
      result = route.handle(body, context);
    }
    this.send(exchange, result, options);
  }

  /** The body, or undefined once the request has been answered (too large) or abandoned. */
  private async readOrReject(exchange: Exchange): Promise<string | undefined> {
    try {
      return await readBody(exchange.request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        const body = errorBody(exchange.route.dialect, { status: 413, message: error.message });
        sendJson(exchange.response, { status: 413, body, headers: { connection: 'close' } });
      }
      return undefined;
    }
  }

  private injectBeforeAnswer(exchange: Exchange, options: ResolvedOptions): void {
    const { response, failure, route } = exchange;
    // A timeout holds the request open and does nothing: the client's own timeout must fire.
    if (failure.kind === 'timeout') return;
    if (failure.kind === 'reset') {
      resetConnection(response, options.latencyMs);
      return;
    }
    const retryAfter = options.failures.retryAfterSeconds;
    const headers = retryAfter !== undefined && wantsRetryAfter(failure.status) ? { 'retry-after': String(retryAfter) } : {};
    const body = injectedErrorBody(route.dialect, failure.status);
    sendJson(response, { status: failure.status, body, delayMs: options.latencyMs, headers });
  }

  private send(exchange: Exchange, result: WireResult, options: ResolvedOptions): void {
    const { response } = exchange;
    const failure = applicableFailure(exchange.failure, result.kind === 'sse');
    const delayMs = options.latencyMs;
    if (result.kind === 'json') {
      // Only successful answers are broken on purpose; a 400 stays a 400 and is no injection.
      const breakable = result.status === 200 && (failure.kind === 'malformed' || failure.kind === 'cut');
      if (!breakable) {
        sendJson(response, { status: result.status, body: result.body, delayMs });
        return;
      }
      this.counts.failuresInjected++;
      if (failure.kind === 'cut') sendTruncatedJson(response, result.body, delayMs);
      else sendJson(response, { status: 200, body: result.body.slice(0, Math.floor(result.body.length / 2)), delayMs });
      return;
    }
    if (failure.kind === 'malformed' || failure.kind === 'cut') this.counts.failuresInjected++;
    sendStream(response, failure.kind === 'malformed' ? withMalformedEvent(result) : result, {
      ttftMs: options.ttftMs,
      tokensPerSecond: options.tokensPerSecond,
      cutAfterEvents: failure.kind === 'cut' ? options.failures.cutAfterTokens : undefined,
    });
  }

  private handleControl(request: IncomingMessage, response: ServerResponse, path: string): void {
    if (path === '/healthz' || (path === '/_mock/stats' && request.method === 'GET')) {
      sendJson(response, { status: 200, body: JSON.stringify(path === '/healthz' ? { status: 'ok' } : this.stats()) });
      return;
    }
    if (path === '/_mock/config' && request.method === 'GET') {
      sendJson(response, { status: 200, body: JSON.stringify(publicOptions(this.options)) });
      return;
    }
    if (path === '/_mock/config' && request.method === 'POST') {
      readBody(request, maxBodyBytes).then(
        (raw) => {
          const body = parseJson(raw);
          try {
            if (body === invalidJson) throw new Error('invalid JSON body');
            const options = this.configure(body);
            sendJson(response, { status: 200, body: JSON.stringify(publicOptions(options)) });
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            sendJson(response, { status: 400, body: errorBody('openai', { status: 400, message }) });
          }
        },
        () => response.destroy(),
      );
      return;
    }
    const message = `Invalid URL (${request.method ?? 'GET'} ${path})`;
    sendJson(response, { status: 404, body: errorBody('openai', { status: 404, message }) });
  }

  private count(key: string): void {
    this.counts.requests++;
    this.counts.byPath.set(key, (this.counts.byPath.get(key) ?? 0) + 1);
  }
}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  path: string;
  route: ProviderRoute;
  failure: FailureDecision;
}

const invalidJson = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return invalidJson;
  }
}

/** The options as `MockProviderOptions`, for `GET /_mock/config`. */
function publicOptions(options: ResolvedOptions): MockProviderOptions {
  return { ...options, failures: { ...options.failures } };
}

export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const parsed = mockProviderOptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`invalid mock provider options: ${formatOptionsError(parsed.error)}`);
  const provider = new MockProviderServer(mergeOptions(defaultOptions, parsed.data));
  const server = createServer({ keepAlive: true }, (request, response) => provider.handle(request, response));
  // Benchmarks hold connections open between bursts; Node's 5 s default would churn sockets.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Timeout injection relies on the client giving up, so the server must not give up first.
  server.requestTimeout = 0;
  await listen(server, provider.options.host, provider.options.port);
  const port = (server.address() as AddressInfo).port;
  const host = provider.options.host.includes(':') ? `[${provider.options.host}]` : provider.options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    // Idempotent, so a test's `finally` and its `after` hook may both close.
    close: () => (closing ??= closeServer(server)),
    stats: () => provider.stats(),
    configure: (patch) => {
      provider.configure(patch);
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Hanging (timeout-injected) and streaming requests would otherwise keep close() waiting.
    server.closeAllConnections();
  });
}
