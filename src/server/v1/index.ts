import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { registerAnthropicRoutes } from './anthropic-routes.js';
import { registerOpenAIRoutes } from './openai-routes.js';

export function registerV1Routes(app: FastifyInstance, server: ServerContext): void {
  registerOpenAIRoutes(app, server);
  registerAnthropicRoutes(app, server);
}
