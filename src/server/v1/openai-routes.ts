/** `/v1/chat/completions`, `/v1/embeddings` and `/v1/models`, in OpenAI's wire format exactly. */
import type { FastifyInstance } from 'fastify';
import { FenerError } from '../../core/index.js';
import {
  chatResultToOpenAI,
  embeddingResultToOpenAI,
  OpenAIStreamEncoder,
  parseOpenAIChatBody,
  parseOpenAIEmbeddingsBody,
} from '../../providers/index.js';
import type { ServerContext } from '../context.js';
import { authorizationOf, buildCallContext } from './call-context.js';
import { openSse, pipeEvents } from './sse.js';

export function registerOpenAIRoutes(app: FastifyInstance, server: ServerContext): void {
  const { gateway } = server.runtime;
  const created = Math.floor(Date.now() / 1000);

  app.post('/v1/chat/completions', async (request, reply) => {
    const { request: chatRequest, stream, includeUsage } = parseOpenAIChatBody(request.body);
    const context = await buildCallContext(
      server,
      { request, reply },
      { endpoint: 'chat.completions', bodyUser: chatRequest.user, chatRequest },
    );
    if (!stream) {
      const completion = await gateway.chat(chatRequest, context);
      void reply.headers({ ...completion.headers, 'x-fener-trace-id': completion.traceId });
      return reply.send(chatResultToOpenAI(completion.result, { model: chatRequest.model }));
    }
    const opened = await gateway.chatStream(chatRequest, context);
    const encoder = new OpenAIStreamEncoder({ model: chatRequest.model, includeUsage });
    const writer = openSse(request, reply, { ...opened.headers, 'x-fener-trace-id': opened.traceId });
    await pipeEvents({
      request,
      writer,
      events: opened.events,
      encode: (event) => encoder.encode(event),
      finish: () => encoder.end(),
      fail: (error) => encoder.error(error),
    });
  });

  app.post('/v1/embeddings', async (request, reply) => {
    const { request: embeddingRequest, encodingFormat } = parseOpenAIEmbeddingsBody(request.body);
    const context = await buildCallContext(server, { request, reply }, { endpoint: 'embeddings', bodyUser: embeddingRequest.user });
    const embeddings = await gateway.embed(embeddingRequest, context);
    void reply.header('x-fener-trace-id', embeddings.traceId);
    return reply.send(embeddingResultToOpenAI(embeddings.result, { model: embeddingRequest.model, encodingFormat }));
  });

  app.get('/v1/models', async (request) => {
    await server.authenticator.authenticate(authorizationOf(request));
    return {
      object: 'list',
      data: gateway.listModels().map((model) => ({ id: model.name, object: 'model', created, owned_by: model.owner })),
    };
  });

  app.get<{ Params: { model: string } }>('/v1/models/:model', async (request) => {
    await server.authenticator.authenticate(authorizationOf(request));
    const model = gateway.listModels().find((candidate) => candidate.name === request.params.model);
    if (!model) throw new FenerError('model_not_found', `The model \`${request.params.model}\` does not exist.`, { param: 'model' });
    return { id: model.name, object: 'model', created, owned_by: model.owner };
  });
}
