/**
 * The one error boundary. Whatever is thrown becomes a `FenerError` here, is logged with the
 * request id, and leaves in one of two shapes: OpenAI's on `/v1/*`, ours on `/api/*`.
 * Unknown errors are reported as `internal` without their message or stack.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FenerError, isFenerError, toApiErrorBody, toOpenAIErrorBody } from '../core/index.js';
import { toAnthropicErrorBody } from '../providers/index.js';

const fastifyCodes: Record<string, (error: FastifyError, request: FastifyRequest | undefined) => FenerError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => new FenerError('invalid_json', 'The request body is not valid JSON.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new FenerError('invalid_json', 'The request body is empty; send a JSON object.'),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new FenerError('payload_too_large', 'The request body is larger than the server accepts.'),
  // Only JSON routes reach Fastify's own check: upload routes refuse other types themselves (api-route.ts).
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_error, request) =>
    new FenerError(
      'unsupported_media_type',
      `content type "${
        String(request?.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim() || 'none'
      }" is not accepted here; send application/json`,
    ),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new FenerError('invalid_request', 'The Content-Length header does not match the body.'),
};

/** `request`, when there is one, lets a message name what the client sent. */
export function toFenerError(error: unknown, request?: FastifyRequest): FenerError {
  if (isFenerError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  const mapped = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (mapped) return mapped(fastifyError as FastifyError, request);
  if (error instanceof SyntaxError && typeof fastifyError.statusCode === 'number' && fastifyError.statusCode === 400) {
    return new FenerError('invalid_json', 'The request body is not valid JSON.');
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new FenerError('invalid_request', fastifyError.message ?? 'Bad request.');
  }
  return new FenerError('internal', 'The server had an error while processing your request.', { cause: error });
}

export function isOpenAIPath(url: string): boolean {
  return url.startsWith('/v1/') || url === '/v1';
}

/** Anthropic's SDKs read their own error shape, so the one Anthropic route answers in it. */
export function isAnthropicPath(url: string): boolean {
  return url === '/v1/messages' || url.startsWith('/v1/messages?');
}

export function errorBody(error: FenerError, request: FastifyRequest): object {
  if (isAnthropicPath(request.url)) return toAnthropicErrorBody(error);
  return isOpenAIPath(request.url) ? toOpenAIErrorBody(error) : toApiErrorBody(error, request.id);
}

export function sendError(error: FenerError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.headers) void reply.headers(error.headers);
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.ceil(error.retryAfterSeconds)));
  void reply.code(error.status).type('application/json; charset=utf-8').send(errorBody(error, request));
}

export function logError(error: FenerError, request: FastifyRequest, original: unknown): void {
  const details = { requestId: request.id, method: request.method, url: request.url, code: error.code, status: error.status };
  if (error.status >= 500) request.log.error({ ...details, err: original }, error.message);
  else request.log.warn(details, error.message);
}

/**
 * `pageFallback` lets the console answer unknown page paths with its index.html; whatever it
 * declines (any `/api`, `/v1`… path) gets the JSON 404.
 */
export function installErrorBoundary(app: FastifyInstance, pageFallback?: (request: FastifyRequest, reply: FastifyReply) => boolean): void {
  app.setErrorHandler((error, request, reply) => {
    const fenerError = toFenerError(error, request);
    logError(fenerError, request, error);
    sendError(fenerError, request, reply);
  });
  app.setNotFoundHandler((request, reply) => {
    if (pageFallback?.(request, reply)) return;
    const error = new FenerError('not_found', `Unknown route: ${request.method} ${request.url.split('?')[0] ?? ''}`);
    logError(error, request, error);
    sendError(error, request, reply);
  });
}
