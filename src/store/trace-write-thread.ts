/**
 * The worker thread that writes trace batches into the SQLite file, so that serialising rows,
 * building the statements, running them and folding the rollups never block the event loop that
 * answers calls. It opens its own connection to the same file (WAL mode: the server's connection
 * keeps reading and writing beside it; `busy_timeout` makes the two wait for each other's locks).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './dialects.js';
import { TraceRepository } from './traces.js';
import type { WriteReply, WriteRequest } from './trace-writer.js';

interface ThreadData {
  dataDir: string;
}

const port = parentPort;
if (port) {
  const db = openSqlite((workerData as ThreadData).dataDir);
  const traces = new TraceRepository(db);
  port.on('message', (request: WriteRequest | 'close') => {
    if (request === 'close') {
      void db.destroy().finally(() => port.close());
      return;
    }
    traces.insertMany(request.rows).then(
      () => port.postMessage({ id: request.id } satisfies WriteReply),
      (error: unknown) =>
        port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies WriteReply),
    );
  });
}
