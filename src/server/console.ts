/**
 * The web console: the Vite build in `dist/ui`, served at `/` by @fastify/static. Hashed files
 * under `/assets/` are cached for a year (their name changes with their content); `index.html` is
 * revalidated every time so a new build is picked up at once. Any other GET for a page path falls
 * back to `index.html` (the console routes in the browser), while `/v1`, `/api`, `/metrics`,
 * `/healthz` and `/readyz` keep their own answers, unknown ones included.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Both `src/server/` (tsx) and `dist/server/` (built) sit two levels below the package root. */
export const defaultConsoleDir = fileURLToPath(new URL('../../dist/ui', import.meta.url));

const reservedPrefixes = ['/v1', '/api', '/metrics', '/healthz', '/readyz'];

/** Serves `index.html` for a page path; returns false when the request is not one. */
export type PageFallback = (request: FastifyRequest, reply: FastifyReply) => boolean;

function isPagePath(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '/';
  if (reservedPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return false;
  // A missing file (`/assets/gone.js`, `/favicon.ico`) is a 404, not the page.
  return !/\.[A-Za-z0-9]+$/.test(path);
}

/**
 * Registers the console's files and returns the page fallback for the not-found handler, or
 * undefined when the console was not built (the server then works without it and says so at `/`).
 */
export async function registerConsole(app: FastifyInstance, dir = defaultConsoleDir): Promise<PageFallback | undefined> {
  if (!existsSync(`${dir}/index.html`)) {
    app.get('/', async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built. Run `npm run build` (npm install does it) and restart Fener.\n'),
    );
    return undefined;
  }
  await app.register(fastifyStatic, {
    root: dir,
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders(response, path) {
      const immutable = path.includes(`${dir}/assets/`);
      response.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (path.endsWith('.html')) response.setHeader('x-content-type-options', 'nosniff');
    },
  });
  return (request, reply) => {
    if (!isPagePath(request)) return false;
    void reply.header('cache-control', 'no-cache').sendFile('index.html');
    return true;
  };
}
