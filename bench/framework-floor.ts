/**
 * A second baseline: the least a JSON gateway built like Fener must do, on Fener's own stack.
 * Fastify parses the JSON body, undici (a `Pool`, as Fener's adapters use) posts it upstream, the
 * answer is parsed and sent back as JSON. No auth, validation, routing, controls or tracing: what
 * Fener spends beyond this is its own work, not its framework's.
 *
 *   node --import tsx bench/framework-floor.ts --upstream http://127.0.0.1:4100 [--port 0]
 */
import Fastify from 'fastify';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } } });
if (!values.upstream) throw new Error('--upstream <origin> is required, e.g. --upstream http://127.0.0.1:4100');
const pool = new Pool(values.upstream, { connections: 256 });
const app = Fastify({ logger: false });

app.post('/v1/chat/completions', async (request) => {
  const response = await pool.request({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request.body),
  });
  return response.body.json();
});

await app.listen({ port: Number(values.port), host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address !== null ? address.port : 0;
process.stderr.write(`framework floor listening on http://127.0.0.1:${port} → ${values.upstream}\n`);

const stop = (): void =>
  void app
    .close()
    .then(() => pool.close())
    .then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
