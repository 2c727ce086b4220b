/**
 * Control-plane routes are declared once, with zod schemas, and that declaration serves three
 * purposes: input validation, the handler's types, and the OpenAPI document.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FenerError } from '../core/index.js';
import type { Principal } from '../identity/index.js';
import type { ServerContext } from './context.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRoute<Body extends z.ZodType, Query extends z.ZodType, Params extends z.ZodType, Response extends z.ZodType> {
  method: Method;
  /** Fastify path syntax, e.g. `/api/keys/:id`. */
  path: string;
  summary: string;
  tag: string;
  body?: Body;
  query?: Query;
  params?: Params;
  response: Response;
  /** Status of a successful answer (default 200). */
  status?: number;
  /**
   * `admin` needs the admin key; `key` takes any valid key (a project key as well, which the
   * handler must keep within its project); `public` needs nothing.
   */
  auth: 'admin' | 'key' | 'public';
  /**
   * The body is a stream of one of these types, handed to the handler unread as `request.body`
   * (an upload too large to parse in memory); `body` is then not used.
   */
  rawBody?: { contentTypes: string[]; description: string };
  /** Content types of a streamed answer (the handler returns a Readable); default JSON. */
  produces?: string[];
  handler(input: {
    body: z.infer<Body>;
    query: z.infer<Query>;
    params: z.infer<Params>;
    principal: Principal | undefined;
    context: ServerContext;
    request: FastifyRequest;
    /** For headers of a streamed answer (content type, file name); the result is still returned. */
    reply: FastifyReply;
  }): Promise<z.infer<Response>>;
}

// The registry holds routes of many shapes; each was type-checked where it was declared.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApiRoute = ApiRoute<any, any, any, any>;

export function defineRoute<
  Body extends z.ZodType = z.ZodUndefined,
  Query extends z.ZodType = z.ZodObject,
  Params extends z.ZodType = z.ZodObject,
  Response extends z.ZodType = z.ZodType,
>(route: ApiRoute<Body, Query, Params, Response>): ApiRoute<Body, Query, Params, Response> {
  return route;
}

function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (schema === undefined) return (value ?? {}) as z.infer<T>;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const param = field === '' ? where : `${where === 'body' ? '' : `${where}.`}${field}`;
  throw new FenerError('invalid_request', `${param}: ${issue?.message ?? 'invalid'}`, { param });
}

function authenticateFor(
  auth: AnyApiRoute['auth'],
  context: ServerContext,
  authorization: string | undefined,
): Promise<Principal | undefined> {
  if (auth === 'admin') return context.authenticator.authenticateAdmin(authorization);
  if (auth === 'key') return context.authenticator.authenticate(authorization);
  return Promise.resolve(undefined);
}

/** Streamed upload types reach their handler as the unread request stream (no body limit: the route enforces its own). */
function installRawParsers(app: FastifyInstance, routes: AnyApiRoute[]): void {
  for (const type of new Set(routes.flatMap((route) => route.rawBody?.contentTypes ?? []))) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }
}

/**
 * A streamed upload of another type is refused before its body is read: JSON or text would
 * otherwise reach the handler already parsed (by Fastify's own parsers) instead of as a stream.
 */
function requireRawType(accepted: string[]): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (accepted.includes(type)) return;
    throw new FenerError('unsupported_media_type', `content type "${type || 'none'}" is not accepted here; send ${accepted.join(', ')}`, {
      headers: { connection: 'close' },
    });
  };
}

export function registerApiRoutes(app: FastifyInstance, context: ServerContext, routes: AnyApiRoute[]): void {
  installRawParsers(app, routes);
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      ...(route.rawBody ? { onRequest: requireRawType(route.rawBody.contentTypes) } : {}),
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const principal = await authenticateFor(route.auth, context, request.headers.authorization);
        const input = {
          body: route.rawBody ? undefined : parsePart(route.body, request.body, 'body'),
          query: parsePart(route.query, request.query, 'query'),
          params: parsePart(route.params, request.params, 'params'),
          principal,
          context,
          request,
          reply,
        };
        const result: unknown = await route.handler(input);
        return reply.code(route.status ?? 200).send(result);
      },
    });
  }
}

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, request_id: { type: 'string' }, param: { type: 'string' } },
      required: ['code', 'message', 'request_id'],
    },
  },
  required: ['error'],
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const converted = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete converted.$schema;
  return converted;
}

function parameters(route: AnyApiRoute): object[] {
  const list: object[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!(schema instanceof z.ZodObject)) continue;
    const shape = schema.shape as Record<string, z.ZodType>;
    for (const [name, field] of Object.entries(shape)) {
      list.push({ name, in: where, required: where === 'path' || !field.safeParse(undefined).success, schema: jsonSchema(field) });
    }
  }
  return list;
}

/** The OpenAPI 3.1 document for `/api/openapi.json`, generated from the declarations. */
export function openApiDocument(routes: AnyApiRoute[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      parameters: parameters(route),
      responses: {
        [String(route.status ?? 200)]: {
          description: 'Success',
          content: Object.fromEntries(
            (route.produces ?? ['application/json']).map((type) => [type, { schema: jsonSchema(route.response) }]),
          ),
        },
        default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } };
    if (route.rawBody) {
      const schema = { type: 'string', format: 'binary', description: route.rawBody.description };
      operation.requestBody = { required: true, content: Object.fromEntries(route.rawBody.contentTypes.map((type) => [type, { schema }])) };
    }
    if (route.auth !== 'public') operation.security = [{ bearer: [] }];
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Fener control plane', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
