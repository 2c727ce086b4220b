/**
 * The baseline: the least work a Node proxy can do — forward method, path, headers and body to
 * one upstream over an undici `Pool`, and stream the answer back untouched. No parsing, no auth,
 * no tracing. What Fener adds on top of this is what the benchmark reports.
 *
 *   node --import tsx bench/minimal-proxy.ts --upstream http://127.0.0.1:4100 [--port 0]
 */
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

/** Headers about one connection, not the message: they must not be forwarded (RFC 9110 §7.6.1). */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !hopByHop.has(name)) kept[name] = value;
  return kept;
}

const { values } = parseArgs({ options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } } });
if (!values.upstream) throw new Error('--upstream <origin> is required, e.g. --upstream http://127.0.0.1:4100');
// As many keep-alive connections as Fener's default `max_connections`, so neither side queues more.
const pool = new Pool(values.upstream, { connections: 256 });

const server = createServer((request, response) => {
  const method = request.method ?? 'GET';
  pool
    .stream(
      {
        path: request.url ?? '/',
        method: method as 'GET',
        headers: forwardable(request.headers) as Record<string, string>,
        body: method === 'GET' || method === 'HEAD' ? null : request,
      },
      ({ statusCode, headers }) => {
        response.writeHead(statusCode, forwardable(headers));
        return response;
      },
    )
    .catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `upstream: ${error instanceof Error ? error.message : String(error)}` } }));
    });
});
server.keepAliveTimeout = 65_000;

server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stderr.write(`minimal proxy listening on http://127.0.0.1:${port} → ${values.upstream}\n`);
});

const stop = (): void => {
  server.close();
  server.closeAllConnections();
  void pool.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
