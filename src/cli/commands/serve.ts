import cluster from 'node:cluster';
import type { Command } from 'commander';
import { startServer } from '../../server/index.js';
import { runPrimary, workerEnvironment } from '../cluster.js';
import { createLogger, parsePort, readConfig, type GlobalOptions } from '../shared.js';

export interface ServeOptions {
  port?: string;
  host?: string;
  workers?: string;
}

function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error(`--workers: expected 1–64, got "${value}"`);
  return workers;
}

export async function serve(globals: GlobalOptions, options: ServeOptions): Promise<void> {
  const config = readConfig(globals, {
    ...(options.port === undefined ? {} : { port: parsePort(options.port) }),
    ...(options.host === undefined ? {} : { host: options.host }),
  });
  const logger = createLogger(config);
  const workers = parseWorkers(options.workers);
  if (workers > 1 && cluster.isPrimary) return runPrimary({ config, workers, logger });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ config, logger });
  } catch (error) {
    if (!cluster.isWorker) throw error;
    // A worker that cannot start must die, so that its primary sees it (the IPC channel would
    // otherwise keep it alive, serving nothing).
    logger.fatal({ err: error }, 'worker could not start');
    process.stderr.write(`fener: a worker could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    logger.flush();
    process.exit(1);
  }
  if (server.bootstrap.generatedAdminKey && process.env[workerEnvironment] === undefined) {
    // Printed once, to the terminal and not to the logs: only its hash is stored.
    process.stderr.write(
      `\nAdmin key (shown only now; set FENER_ADMIN_KEY to choose your own):\n\n  ${server.bootstrap.generatedAdminKey}\n\n`,
    );
  }
  logger.info(
    { url: server.url, database: server.context.store.dialect, models: server.context.runtime.catalog.list().length },
    'fener is listening',
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and writing pending traces');
    server.close().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export function registerServeCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('start the gateway, control-plane API and console')
    .option('--port <port>', 'port to listen on (default 4000, or FENER_PORT)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1, or FENER_HOST)')
    .option('--workers <n>', 'server processes sharing the port (default 1); use REDIS_URL to share limits between them')
    .action((options: ServeOptions) => serve(globals(), options));
}
