/**
 * `fener serve --workers N`: N server processes on one machine sharing one port (node:cluster
 * hands connections to workers). The primary prepares the database once — migrations, default
 * project, admin key — then forks the workers, restarts any that crash, and on SIGTERM/SIGINT
 * asks each to drain and waits for all of them.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { FenerConfig } from '../core/index.js';
import { bootstrapIdentity } from '../identity/index.js';
import { serveClusterMetrics } from '../server/index.js';
import { openStore } from '../store/index.js';

/** Set in workers so that they skip what the primary already did. */
export const workerEnvironment = 'FENER_CLUSTER_WORKER';

export async function prepareDatabase(config: FenerConfig, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const store = await openStore({ ...(config.database_url ? { databaseUrl: config.database_url } : {}), dataDir: config.data_dir });
  try {
    const result = await bootstrapIdentity(store, env.FENER_ADMIN_KEY || undefined);
    return result.generatedAdminKey;
  } finally {
    await store.close();
  }
}

export async function runPrimary(options: { config: FenerConfig; workers: number; logger: Logger }): Promise<void> {
  const { config, workers, logger } = options;
  const generated = await prepareDatabase(config, process.env);
  if (generated) process.stderr.write(`\nAdmin key (shown only now; set FENER_ADMIN_KEY to choose your own):\n\n  ${generated}\n\n`);
  let stopping = false;
  const fork = (): Worker => cluster.fork({ ...process.env, [workerEnvironment]: '1' });
  // A worker that dies before any worker listened is a start-up failure (a port in use, a bad
  // database): fail the command. Later deaths are restarted, with a backoff, and the primary gives
  // up if replacements keep dying before they listen.
  let everListened = false;
  let deathsInARow = 0;
  cluster.on('listening', () => {
    everListened = true;
    deathsInARow = 0;
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!everListened || ++deathsInARow > workers * 2) {
      logger.fatal({ code, signal }, everListened ? 'workers keep dying; giving up' : 'a worker failed to start; stopping');
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exit(1);
    }
    logger.error({ worker: worker.process.pid, code, signal }, 'worker died; starting another');
    setTimeout(fork, Math.min(5000, 100 * 2 ** deathsInARow));
  });
  serveClusterMetrics();
  for (let i = 0; i < workers; i++) fork();
  logger.info({ workers, port: config.server.port }, 'fener primary started its workers');
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    const alive = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    let remaining = alive.length;
    if (remaining === 0) process.exit(0);
    for (const worker of alive) {
      worker.once('exit', () => {
        remaining--;
        if (remaining === 0) process.exit(0);
      });
      worker.process.kill(signal);
    }
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
