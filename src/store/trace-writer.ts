/**
 * Trace batches written by a worker thread (see trace-write-thread.ts). With better-sqlite3 every
 * statement runs synchronously on the calling thread: a batch of 100 traces with its rollups held
 * the event loop for tens of milliseconds, which every call in flight then waited out (the
 * gateway's p99). Only SQLite files use it; Postgres queries already leave the thread while the
 * server works, and `:memory:` databases cannot be shared between connections.
 *
 * If the thread dies, writes fall back to the caller's own connection: traces are never lost to
 * it, only the event loop pays for them again.
 */
import { Worker } from 'node:worker_threads';
import type { TraceBatchWriter, TraceRow } from './traces.js';

/** A batch sent to the thread. */
export interface WriteRequest {
  id: number;
  rows: TraceRow[];
}

/** `error` is set when the batch was not written (the transaction rolled back). */
export interface WriteReply {
  id: number;
  error?: string;
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class TraceWriteThread implements TraceBatchWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextId = 1;
  private failure: Error | undefined;
  private closing = false;

  constructor(dataDir: string) {
    this.worker = spawn(dataDir);
    // The thread must not keep a finished process alive; close() ends it properly.
    this.worker.unref();
    this.worker.on('message', (reply: WriteReply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.closing || this.pending.size > 0) this.fail(new Error(`the trace write thread exited (code ${code})`));
    });
  }

  /** False once the thread has failed: the caller then writes on its own connection. */
  get healthy(): boolean {
    return this.failure === undefined && !this.closing;
  }

  insertMany(rows: TraceRow[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const written = new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, rows } satisfies WriteRequest);
    });
    const tracked = written.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return written;
  }

  /** Waits for the batches already sent, then ends the thread. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Held open until the thread has finished (it is unref'd so as not to keep a process alive).
    this.worker.ref();
    await Promise.all(this.inFlight);
    if (!this.failure) {
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      this.worker.postMessage('close');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    }
    await this.worker.terminate();
  }

  private settle(reply: WriteReply): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    this.pending.delete(reply.id);
    if (reply.error === undefined) entry.resolve();
    else entry.reject(new Error(reply.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }
}

/**
 * Compiled code (dist/) starts the thread from its `.js` file; under tsx (tests, benches from
 * source) the thread registers tsx itself first, since a worker does not inherit the loader.
 */
function spawn(dataDir: string): Worker {
  const here = import.meta.url;
  const options = { workerData: { dataDir } };
  if (!here.endsWith('.ts')) return new Worker(new URL('./trace-write-thread.js', here), options);
  const entry = new URL('./trace-write-thread.ts', here).href;
  const loader = import.meta.resolve('tsx/esm/api');
  const code = `const { register } = await import(${JSON.stringify(loader)}); register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), options);
}
