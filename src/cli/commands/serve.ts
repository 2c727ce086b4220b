import type { Command } from 'commander';
import { startServer } from '../../server/index.js';
import { createLogger, parsePort, readConfig, type GlobalOptions } from '../shared.js';

export interface ServeOptions {
  port?: string;
  host?: string;
}

export async function serve(globals: GlobalOptions, options: ServeOptions): Promise<void> {
  const config = readConfig(globals, {
    ...(options.port === undefined ? {} : { port: parsePort(options.port) }),
    ...(options.host === undefined ? {} : { host: options.host }),
  });
  const logger = createLogger(config);
  const server = await startServer({ config, logger });
  if (server.bootstrap.generatedAdminKey) {
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
    .action((options: ServeOptions) => serve(globals(), options));
}
