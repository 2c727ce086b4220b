/**
 * Entry point of the llama.cpp child process, forked by `LlamaProcess`. It runs one job at a
 * time on one context with one sequence (simple and predictable; a pool of sequences with
 * batched decoding is a later optimisation) and answers over the IPC channel with the messages
 * of `protocol.ts`.
 */
import { isFenerError } from '../../core/index.js';
import { LocalModel } from './local-model.js';
import {
  childErrorCodes,
  childMessageSchema,
  childSettingsSchema,
  parentMessageSchema,
  type ChildErrorCode,
  type ChildMessage,
  type JobMessage,
} from './protocol.js';

/** Resolves once the message is written: `model-loading` must reach the parent before a native crash can. */
function send(message: ChildMessage): Promise<void> {
  // Checked on the way out too: a message the parent would reject is a bug worth failing loudly here.
  const checked = childMessageSchema.parse(message);
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(checked, undefined, {}, () => resolve());
  });
}

function isChildErrorCode(code: string): code is ChildErrorCode {
  return (childErrorCodes as readonly string[]).includes(code);
}

const settings = childSettingsSchema.parse(JSON.parse(process.argv[2] ?? 'null'));
const model = new LocalModel(settings, send);
const pending = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function reportFailure(id: number, error: unknown): void {
  if (isFenerError(error) && isChildErrorCode(error.code)) {
    const param = error.param === undefined ? {} : { param: error.param };
    void send({ type: 'job-failed', id, code: error.code, message: error.message, retryable: error.retryable, ...param });
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  void send({ type: 'job-failed', id, code: 'upstream_error', message: `llama.cpp failed: ${message}`, retryable: true });
}

async function run(job: JobMessage, signal: AbortSignal): Promise<void> {
  const { id } = job;
  if (job.type === 'load') {
    await model.load();
    void send({ type: 'load-end', id });
  } else if (job.type === 'embed') {
    const outcome = await model.embed(job.input, { dimensions: job.dimensions, signal });
    void send({ type: 'embed-end', id, ...outcome });
  } else {
    const outcome = await model.chat(job.turns, job.generation, {
      signal,
      onStart: (inputTokens) => void send({ type: 'chat-start', id, inputTokens }),
      onText: (text) => void send({ type: 'text-delta', id, text }),
    });
    // After a cancel the parent has already given up on this job: nothing more to say.
    if (!signal.aborted) void send({ type: 'chat-end', id, ...outcome });
  }
}

function enqueue(job: JobMessage): void {
  const controller = new AbortController();
  pending.set(job.id, controller);
  queue = queue.then(async () => {
    try {
      if (!controller.signal.aborted) await run(job, controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) reportFailure(job.id, error);
    } finally {
      pending.delete(job.id);
    }
  });
}

process.on('message', (raw: unknown) => {
  const parsed = parentMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && 'id' in raw ? Number(raw.id) : NaN;
    if (Number.isInteger(id) && id >= 0) reportFailure(id, new Error(`malformed job: ${parsed.error.message}`));
    return;
  }
  const message = parsed.data;
  if (message.type === 'cancel') pending.get(message.id)?.abort();
  else enqueue(message);
});

// The gateway went away (even by a crash): nobody is left to answer.
process.on('disconnect', () => process.exit(0));
