/** The transport under the SDK: one `fetch` per call, JSON in and out, one error type. */

/**
 * A failed call: the API's own `code` and `message` (e.g. `forbidden`, `not_found`,
 * `invalid_request` with the field in `param`), the HTTP status and the request id to quote.
 *
 * @example
 * try {
 *   await fener.keys.revoke('key_missing');
 * } catch (error) {
 *   if (error instanceof FenerApiError && error.code === 'not_found') console.log(error.message);
 * }
 */
export class FenerApiError extends Error {
  override readonly name = 'FenerApiError';
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** The API's error code (`unauthorized`, `forbidden`, `not_found`, …), or `network_error`. */
  readonly code: string;
  /** The server's request id, to find the call in its logs. */
  readonly requestId: string | undefined;
  /** The request field at fault, when the API named one. */
  readonly param: string | undefined;

  constructor(init: { status: number; code: string; message: string; requestId?: string; param?: string }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.param = init.param;
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** Where Fener runs, e.g. `http://127.0.0.1:4000`; `''` means the page's own origin. */
  baseUrl: string;
  /** An admin key or a project key. */
  apiKey: string;
  fetch?: FetchLike;
}

export type QueryValue = string | number | boolean | undefined | Record<string, string>;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads either wire shape: ours (`{error: {code, message, request_id}}`) or OpenAI's (`{error: {type, code, message}}`). */
export function errorFromBody(status: number, body: unknown): FenerApiError {
  const error = record(record(body)?.error);
  const code = text(error?.code) ?? text(error?.type) ?? `http_${status}`;
  const message = text(error?.message) ?? `The server answered ${status}.`;
  const requestId = text(error?.request_id);
  const param = text(error?.param);
  return new FenerApiError({
    status,
    code,
    message,
    ...(requestId === undefined ? {} : { requestId }),
    ...(param === undefined ? {} : { param }),
  });
}

export function queryString(query: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    search.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  const encoded = search.toString();
  return encoded === '' ? '' : `?${encoded}`;
}

export interface CallInit {
  /** Sent as JSON. */
  body?: unknown;
  /** Or sent as is (a JSONL or CSV upload), with its content type. */
  text?: { body: string; contentType: string };
  headers?: Record<string, string>;
}

export class Transport {
  private readonly fetch: FetchLike;

  constructor(private readonly options: TransportOptions) {
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Sends one request; resolves to the parsed JSON body, or throws `FenerApiError`. */
  async request<T>(method: string, path: string, init: CallInit = {}): Promise<T> {
    const { response, raw } = await this.send(method, path, { ...init, accept: 'application/json' });
    let parsed: unknown;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      const message = `The server answered ${response.status} with a body that is not JSON.`;
      throw new FenerApiError({ status: response.status, code: 'invalid_response', message });
    }
    if (!response.ok) throw errorFromBody(response.status, parsed);
    // The body is Fener's own answer, validated against the route's schema on the server side.
    return parsed as T;
  }

  /** A file the server sends (a JSONL or CSV export): its text; an error answer still throws `FenerApiError`. */
  async download(path: string): Promise<string> {
    const { response, raw } = await this.send('GET', path, { accept: '*/*' });
    if (response.ok) return raw;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    throw errorFromBody(response.status, parsed);
  }

  private async send(method: string, path: string, init: CallInit & { accept: string }): Promise<{ response: Response; raw: string }> {
    const headers: Record<string, string> = {
      ...init.headers,
      authorization: `Bearer ${this.options.apiKey}`,
      accept: init.accept,
    };
    let payload: string | undefined;
    if (init.text !== undefined) {
      headers['content-type'] = init.text.contentType;
      payload = init.text.body;
    } else if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(init.body);
    }
    let response: Response;
    try {
      response = await this.fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new FenerApiError({ status: 0, code: 'network_error', message: `Could not reach Fener: ${reason}` });
    }
    return { response, raw: await response.text() };
  }
}
