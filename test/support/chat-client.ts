/**
 * A small OpenAI-wire client for process-level tests: one chat call, streamed or not, reduced to
 * what the assertions look at (status, headers, trace id, error type, whether a stream finished).
 */
import { fetch, type Dispatcher } from 'undici';

export interface ChatCall {
  url: string;
  key: string;
  model: string;
  content: string;
  stream?: boolean;
  maxTokens?: number;
  /** Connections of their own (e.g. none reused from a process that was just killed). */
  dispatcher?: Dispatcher;
}

export interface ChatAnswer {
  status: number;
  headers: Headers;
  /** `x-fener-trace-id`; empty when the response had none. */
  traceId: string;
  /** OpenAI's `error.type` and `error.code` of an error response. */
  errorType?: string;
  errorCode?: string;
  /** A 200 that is a complete answer: a body with a message, or a stream ending in `[DONE]`. */
  complete: boolean;
}

interface ErrorBody {
  error?: { type?: string; code?: string | null };
}

export async function chat(call: ChatCall): Promise<ChatAnswer> {
  const response = await fetch(`${call.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${call.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: call.model,
      messages: [{ role: 'user', content: call.content }],
      ...(call.maxTokens === undefined ? {} : { max_tokens: call.maxTokens }),
      ...(call.stream ? { stream: true } : {}),
    }),
    ...(call.dispatcher ? { dispatcher: call.dispatcher } : {}),
  });
  const text = await response.text();
  const answer: ChatAnswer = {
    status: response.status,
    headers: response.headers as unknown as Headers,
    traceId: response.headers.get('x-fener-trace-id') ?? '',
    complete: false,
  };
  if (response.status !== 200) {
    const body = JSON.parse(text) as ErrorBody;
    return { ...answer, errorType: body.error?.type ?? '', errorCode: body.error?.code ?? '' };
  }
  answer.complete = call.stream ? text.endsWith('data: [DONE]\n\n') && !text.includes('"error"') : text.includes('"message"');
  return answer;
}

/** Runs `count` tasks, at most `concurrency` at a time, and returns their results in task order. */
export async function inParallel<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `read` every 100 ms until `until` accepts its value, or the value stayed the same for
 * `stableForMs`, or `timeoutMs` passed; returns the last value either way for the caller to check.
 */
export async function settledValue<T>(
  read: () => Promise<T>,
  options: { until?: (value: T) => boolean; stableForMs?: number; timeoutMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last = await read();
  let changedAt = Date.now();
  while (!options.until?.(last) && Date.now() - changedAt < (options.stableForMs ?? 1000) && Date.now() < deadline) {
    await pause(100);
    const value = await read();
    if (JSON.stringify(value) !== JSON.stringify(last)) changedAt = Date.now();
    last = value;
  }
  return last;
}
