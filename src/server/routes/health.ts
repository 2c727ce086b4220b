import { z } from 'zod';
import { FenerError } from '../../core/index.js';
import { defineRoute } from '../api-route.js';

const healthz = defineRoute({
  method: 'GET',
  path: '/healthz',
  summary: 'Liveness: the process is up',
  tag: 'health',
  auth: 'public',
  response: z.object({ status: z.literal('ok'), version: z.string() }),
  async handler({ context }) {
    return { status: 'ok' as const, version: context.version };
  },
});

const readyz = defineRoute({
  method: 'GET',
  path: '/readyz',
  summary: 'Readiness: the database answers',
  tag: 'health',
  auth: 'public',
  response: z.object({ status: z.literal('ready'), database: z.enum(['sqlite', 'postgres']), trace_queue: z.number() }),
  async handler({ context }) {
    try {
      await context.store.ping();
    } catch (error) {
      throw new FenerError('unavailable', 'the database does not answer', { cause: error });
    }
    return { status: 'ready' as const, database: context.store.dialect, trace_queue: context.runtime.recorder.pending };
  },
});

export const healthRoutes = [healthz, readyz];
