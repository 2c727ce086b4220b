/**
 * The llama-cpp provider: local inference of one GGUF model. All llama.cpp work happens in a
 * child process (`llama-process.ts`), so generation never blocks the gateway's event loop and a
 * model that crashes llama.cpp takes down only the child.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { FenerError, type ProviderConfig } from '../../core/index.js';
import type {
  CallOptions,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  EmbeddingRequest,
  EmbeddingResult,
  FinishReason,
  Provider,
  Usage,
} from '../spec.js';
import { LlamaProcess } from './llama-process.js';
import type { JobMessage, JobReply } from './protocol.js';
import { ReplyQueue } from './reply-queue.js';
import { toChatJob } from './request-mapping.js';

/**
 * A `Provider` with what only a local model has.
 * @example const provider = createLlamaCppProvider({ id: 'local', type: 'llama-cpp', model_path: './model.gguf', ... });
 */
export interface LlamaCppProvider extends Provider {
  readonly type: 'llama-cpp';
  /** The llama.cpp child process while one runs (it starts on first use and after a crash). */
  readonly pid: number | undefined;
  /** Loads the model now rather than on the first request (start-up, readiness checks). */
  warmUp(options?: CallOptions): Promise<void>;
}

/** Small enough for a tiny model, large enough for a conversation; `context_size` overrides it. */
const defaultContextSize = 2048;

/** llama.cpp on every core of a small machine is many times slower than on one or two. */
function defaultThreads(): number {
  return Math.min(2, Math.max(1, Math.floor(availableParallelism() / 2)));
}

/** What a cancelled call throws; the same mapping as the HTTP adapters, so routing sees one vocabulary. */
function cancelledError(reason: unknown): FenerError {
  if (reason instanceof FenerError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new FenerError('upstream_timeout', 'the call to the local model timed out', { cause: reason });
  }
  return new FenerError('upstream_error', 'the call to the local model was cancelled', { retryable: false, cause: reason });
}

const isTerminal = (reply: JobReply): boolean => reply.type !== 'chat-start' && reply.type !== 'text-delta';

/**
 * Runs one job in the child and yields its replies. Leaving early (a break, the caller's abort,
 * the time limit) cancels the job there, so the child moves on to the next one.
 */
async function* jobReplies(
  llama: LlamaProcess,
  build: (id: number) => JobMessage,
  options: CallOptions & { timeoutMs: number },
): AsyncGenerator<JobReply> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted === true) throw cancelledError(signal.reason);
  const queue = new ReplyQueue<JobReply>();
  const onAbort = (): void => queue.abort(cancelledError(signal?.reason));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => queue.abort(new FenerError('upstream_timeout', `the local model did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  ).unref();
  let id: number | undefined;
  try {
    id = await llama.submit(build, { onReply: (reply) => queue.push(reply), onFailure: (error) => queue.fail(error) });
    for (;;) {
      const reply = await queue.shift();
      if (reply.type === 'job-failed') {
        const param = reply.param === undefined ? {} : { param: reply.param };
        throw new FenerError(reply.code, reply.message, { retryable: reply.retryable, ...param });
      }
      yield reply;
      if (isTerminal(reply)) return;
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (id !== undefined) llama.cancel(id);
  }
}

function toChatResult(events: ChatStreamEvent[], fallbackModel: string): ChatResult {
  let text = '';
  let start: Extract<ChatStreamEvent, { type: 'response-start' }> | undefined;
  let finishReason: FinishReason = 'stop';
  let usage: Usage | undefined;
  for (const event of events) {
    if (event.type === 'response-start') start = event;
    else if (event.type === 'text-delta') text += event.text;
    else if (event.type === 'finish') finishReason = event.finish_reason;
    else if (event.type === 'usage') usage = event.usage;
  }
  return {
    id: start?.id ?? `chatcmpl-${randomUUID()}`,
    model: start?.model ?? fallbackModel,
    created: start?.created ?? Math.floor(Date.now() / 1000),
    message: { role: 'assistant', content: text },
    finish_reason: finishReason,
    ...(usage === undefined ? {} : { usage }),
  };
}

export function createLlamaCppProvider(config: ProviderConfig): LlamaCppProvider {
  if (config.model_path === undefined) {
    throw new FenerError('invalid_request', `provider "${config.id}" needs model_path`, { param: 'model_path' });
  }
  const llama = new LlamaProcess({
    modelPath: config.model_path,
    threads: config.threads ?? defaultThreads(),
    contextSize: config.context_size ?? defaultContextSize,
  });
  const call = (options: CallOptions = {}): CallOptions & { timeoutMs: number } => ({
    ...options,
    timeoutMs: options.timeoutMs ?? config.timeout_ms,
  });

  async function* chatStream(request: ChatRequest, options?: CallOptions): AsyncGenerator<ChatStreamEvent> {
    const job = toChatJob(request);
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    let inputTokens = 0;
    for await (const reply of jobReplies(llama, (jobId) => ({ type: 'chat', id: jobId, ...job }), call(options))) {
      if (reply.type === 'chat-start') {
        inputTokens = reply.inputTokens;
        yield { type: 'response-start', id, model: request.model, created };
      } else if (reply.type === 'text-delta') {
        yield { type: 'text-delta', text: reply.text };
      } else if (reply.type === 'chat-end') {
        yield { type: 'finish', finish_reason: reply.finishReason };
        yield { type: 'usage', usage: { input_tokens: inputTokens, output_tokens: reply.outputTokens } };
      }
    }
  }

  return {
    id: config.id,
    type: 'llama-cpp',
    get pid() {
      return llama.pid;
    },
    chatStream,
    async chat(request, options) {
      const events: ChatStreamEvent[] = [];
      for await (const event of chatStream(request, options)) events.push(event);
      return toChatResult(events, request.model);
    },
    async embed(request: EmbeddingRequest, options?: CallOptions): Promise<EmbeddingResult> {
      if (request.input.length === 0) throw new FenerError('invalid_request', 'input must not be empty', { param: 'input' });
      const build = (jobId: number): JobMessage => ({ type: 'embed', id: jobId, input: request.input, dimensions: request.dimensions });
      for await (const reply of jobReplies(llama, build, call(options))) {
        if (reply.type === 'embed-end') {
          return { model: request.model, embeddings: reply.embeddings, usage: { input_tokens: reply.inputTokens } };
        }
      }
      throw new FenerError('upstream_error', 'the llama.cpp process ended the embedding job without a result');
    },
    async warmUp(options?: CallOptions) {
      for await (const reply of jobReplies(llama, (jobId) => ({ type: 'load', id: jobId }), call(options))) void reply;
    },
    close: () => llama.close(),
  };
}
