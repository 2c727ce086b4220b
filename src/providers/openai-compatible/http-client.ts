/**
 * The HTTP side of every remote adapter: one undici `Pool` per upstream origin (keep-alive,
 * bounded connections) and one `UpstreamCall` per request that owns its abort and timeout.
 * undici's `pool.request` is used rather than global `fetch`, which measured 3-4x slower here.
 */
import { Pool } from 'undici';
import type { z } from 'zod';
import type { Dispatcher } from 'undici';
import { FenerError } from '../../core/index.js';
import type { CallOptions } from '../spec.js';
import { parseErrorBody, retryAfterSeconds, statusError, transportError } from './upstream-errors.js';
import { summarizeIssues } from './body-parsing.js';

export interface UpstreamClientOptions {
  /** Base URL including its version path, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Sent with every request (authentication, vendor headers). */
  headers: Record<string, string>;
  timeoutMs: number;
  maxConnections: number;
  /** How messages name the upstream, e.g. `provider "openai"`. */
  upstream: string;
}

export type UpstreamResponse = Dispatcher.ResponseData;

export class UpstreamClient {
  readonly upstream: string;
  readonly #pool: Pool;
  readonly #pathPrefix: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: UpstreamClientOptions) {
    const url = new URL(options.baseUrl);
    this.upstream = options.upstream;
    this.#pathPrefix = url.pathname.replace(/\/+$/, '');
    this.#headers = { 'content-type': 'application/json', ...options.headers };
    this.#timeoutMs = options.timeoutMs;
    // undici's own timers only back up ours (they count idle time, ours counts the whole call).
    this.#pool = new Pool(url.origin, {
      connections: options.maxConnections,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** Starts one call; the caller must `dispose()` it once the response is consumed or abandoned. */
  open(options: CallOptions = {}): UpstreamCall {
    return new UpstreamCall(this, options.timeoutMs ?? this.#timeoutMs, options.signal);
  }

  /**
   * One whole non-streamed call: POST the body, read the JSON answer, check it against the wire
   * schema, and map every failure — the lifecycle every adapter's chat and embeddings share.
   */
  async postJson<S extends z.ZodType>(input: {
    path: string;
    body: unknown;
    schema: S;
    what: string;
    options?: CallOptions;
  }): Promise<z.infer<S>> {
    const call = this.open(input.options);
    try {
      const response = await call.post(input.path, input.body);
      const parsed = input.schema.safeParse(await call.json(response));
      if (!parsed.success) throw call.invalid(`sent an unexpected ${input.what} (${summarizeIssues(parsed.error).message})`);
      return parsed.data;
    } catch (error) {
      throw call.fail(error);
    } finally {
      call.dispose();
    }
  }

  /** @internal used by `UpstreamCall`. */
  dispatch(path: string, body: unknown, extra: { accept: string; signal: AbortSignal }): Promise<UpstreamResponse> {
    return this.#pool.request({
      method: 'POST',
      path: this.#pathPrefix + path,
      headers: { ...this.#headers, accept: extra.accept },
      body: JSON.stringify(body),
      signal: extra.signal,
    });
  }

  /** Waits briefly for requests still running, then destroys what is left: a shutdown never hangs on an upstream. */
  async close(graceMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    const outcome = await Promise.race([this.#pool.close().then(() => 'closed' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.#pool.destroy();
  }
}

/** One request upstream: its abort controller, its timer, and the mapping of its failures. */
export class UpstreamCall {
  readonly #client: UpstreamClient;
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #timeoutMs: number;
  #timedOut = false;
  /** The status once the upstream has answered: a network failure after that is a broken response. */
  #status: number | undefined = undefined;
  #response: UpstreamResponse | undefined = undefined;
  readonly #onCallerAbort = (): void => this.#controller.abort();

  constructor(client: UpstreamClient, timeoutMs: number, signal: AbortSignal | undefined) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
    this.#callerSignal = signal;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort();
    }, timeoutMs).unref();
    if (signal?.aborted) this.#controller.abort();
    else signal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  /** How messages name the upstream. */
  get upstream(): string {
    return this.#client.upstream;
  }

  /** POSTs JSON; resolves with a 2xx response, or throws the mapped error (the body read and closed). */
  async post(path: string, body: unknown, accept = 'application/json'): Promise<UpstreamResponse> {
    let response: UpstreamResponse;
    try {
      response = await this.#client.dispatch(path, body, { accept, signal: this.#controller.signal });
    } catch (error) {
      throw this.fail(error);
    }
    this.#status = response.statusCode;
    this.#response = response;
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    let text = '';
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.fail(error);
    }
    throw statusError({
      status: response.statusCode,
      detail: parseErrorBody(text),
      upstream: this.#client.upstream,
      retryAfterSeconds: retryAfterSeconds(response.headers),
    });
  }

  /** Reads a whole 2xx body as JSON; garbage is the upstream's fault. */
  async json(response: UpstreamResponse): Promise<unknown> {
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.fail(error);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw this.invalid(`sent a body that is not JSON: ${text.slice(0, 200)}`, response.statusCode);
    }
  }

  /** An upstream that answered, but not with what its API promises. */
  invalid(what: string, upstreamStatus = 200): FenerError {
    return new FenerError('upstream_error', `${this.#client.upstream} ${what}`, { upstreamStatus });
  }

  /** Maps any failure of this call, telling our timeout and the caller's abort apart from the network. */
  fail(error: unknown): FenerError {
    if (error instanceof FenerError) return error;
    if (this.#timedOut) {
      const message = `${this.#client.upstream} did not finish within ${this.#timeoutMs} ms`;
      return new FenerError('upstream_timeout', message, {
        cause: error,
        ...(this.#status === undefined ? {} : { upstreamStatus: this.#status }),
      });
    }
    const signal = this.#callerSignal;
    if (signal?.aborted) {
      if (signal.reason instanceof FenerError) return signal.reason;
      if (signal.reason instanceof Error && signal.reason.name === 'TimeoutError') {
        return new FenerError('upstream_timeout', `${this.#client.upstream} call timed out`, { cause: signal.reason });
      }
      const message = `the call to ${this.#client.upstream} was cancelled`;
      return new FenerError('upstream_error', message, { retryable: false, cause: signal.reason });
    }
    const mapped = transportError(error, this.#client.upstream);
    if (this.#status === undefined) return mapped;
    // Reached, answered, then cut off: not "unavailable" (it was), but a broken response.
    const message = `${this.#client.upstream} broke off its response: ${error instanceof Error ? error.message : String(error)}`;
    const code = mapped.code === 'upstream_timeout' ? 'upstream_timeout' : 'upstream_error';
    return new FenerError(code, message, { upstreamStatus: this.#status, cause: error });
  }

  /** Stops the timer and the upstream request if it is still running (safe to call twice). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
    // Stops whatever is still in flight; a body read to its end needs nothing (and aborting costs
    // an exception object per call on the hot path).
    if (this.#response?.body.readableEnded !== true) this.#controller.abort();
  }
}
