/** What every `/v1` call shares: the caller's key, the tracing headers, and a cancel signal. */
import { performance } from 'node:perf_hooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FenerError } from '../../core/index.js';
import { cachePolicyFrom, type CallContext, type Endpoint } from '../../gateway/index.js';
import type { ChatRequest } from '../../providers/index.js';
import type { ServerContext } from '../context.js';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function metadataHeader(request: FastifyRequest): Record<string, unknown> | undefined {
  const raw = header(request, 'x-fener-metadata');
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new FenerError('invalid_request', 'the x-fener-metadata header must be a JSON object', { param: 'x-fener-metadata' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FenerError('invalid_request', 'the x-fener-metadata header must be a JSON object', { param: 'x-fener-metadata' });
  }
  return parsed as Record<string, unknown>;
}

/** OpenAI clients send `Authorization: Bearer`; Anthropic's send `x-api-key`. Both are accepted. */
export function authorizationOf(request: FastifyRequest): string | undefined {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) return authorization;
  const apiKey = header(request, 'x-api-key');
  return apiKey === undefined ? undefined : `Bearer ${apiKey}`;
}

export interface CallContextInput {
  endpoint: Endpoint;
  /** The `user` field of the body, if any; the `x-fener-user` header wins. */
  bodyUser: string | undefined;
  /** A chat request: its `fener` body field (Fener's own controls) is taken out before it goes upstream. */
  chatRequest?: ChatRequest;
}

/** Removes the body's `fener` field, which is for the gateway and never for an upstream. */
function takeFenerControls(request: ChatRequest | undefined): unknown {
  if (!request?.extra || !('fener' in request.extra)) return undefined;
  const { fener, ...rest } = request.extra;
  if (Object.keys(rest).length === 0) delete request.extra;
  else request.extra = rest;
  return fener;
}

export async function buildCallContext(
  server: ServerContext,
  exchange: { request: FastifyRequest; reply: FastifyReply },
  input: CallContextInput,
): Promise<CallContext> {
  const { request, reply } = exchange;
  const startedAt = performance.now();
  const principal = await server.authenticator.authenticate(authorizationOf(request));
  // The client going away cancels the upstream call too, so no tokens are paid for nothing.
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  const context: CallContext = {
    principal,
    requestId: request.id,
    endpoint: input.endpoint,
    startedAt,
    requestBody: request.body,
    signal: controller.signal,
    // Set before the call runs, so an error answer names the trace that recorded it too.
    onTraceId: (id) => void reply.header('x-fener-trace-id', id),
  };
  const endUser = header(request, 'x-fener-user') ?? input.bodyUser;
  if (endUser !== undefined) context.endUser = endUser;
  const sessionId = header(request, 'x-fener-session-id');
  if (sessionId !== undefined) context.sessionId = sessionId;
  const traceId = header(request, 'x-fener-trace-id');
  if (traceId !== undefined) context.traceId = traceId;
  const metadata = metadataHeader(request);
  if (metadata !== undefined) context.metadata = metadata;
  if (input.chatRequest) {
    const controls = takeFenerControls(input.chatRequest);
    context.cachePolicy = cachePolicyFrom({ headers: request.headers, bodyControl: controls });
    // Resolvers read them (`fener.variables` for prompts); a non-object `fener` carries no controls.
    if (controls !== null && typeof controls === 'object' && !Array.isArray(controls)) {
      context.controls = controls as Record<string, unknown>;
      // `fener.session_id` names the session when the x-fener-session-id header does not (sticky canary variants use it).
      const bodySession = context.controls.session_id;
      if (context.sessionId === undefined && typeof bodySession === 'string' && bodySession !== '') context.sessionId = bodySession;
    }
  }
  return context;
}
