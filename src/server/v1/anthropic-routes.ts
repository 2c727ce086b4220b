/** `POST /v1/messages`: Anthropic's Messages API in front of every model the gateway routes to. */
import type { FastifyInstance } from 'fastify';
import { AnthropicStreamEncoder, chatResultToAnthropic, parseAnthropicMessagesBody } from '../../providers/index.js';
import type { ServerContext } from '../context.js';
import { buildCallContext } from './call-context.js';
import { openSse, pipeEvents } from './sse.js';

export function registerAnthropicRoutes(app: FastifyInstance, server: ServerContext): void {
  const { gateway } = server.runtime;

  app.post('/v1/messages', async (request, reply) => {
    const { request: chatRequest, stream } = parseAnthropicMessagesBody(request.body);
    const context = await buildCallContext(server, { request, reply }, { endpoint: 'messages', bodyUser: chatRequest.user, chatRequest });
    if (!stream) {
      const completion = await gateway.chat(chatRequest, context);
      void reply.headers({ ...completion.headers, 'x-fener-trace-id': completion.traceId });
      return reply.send(chatResultToAnthropic(completion.result, { model: chatRequest.model }));
    }
    const opened = await gateway.chatStream(chatRequest, context);
    const encoder = new AnthropicStreamEncoder({ model: chatRequest.model });
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
}
