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
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The API's error code (`unauthorized`, `forbidden`, `not_found`, …), or `network_error`. */
    readonly code: string,
    message: string,
    readonly details: { requestId?: string; param?: string } = {},
  ) {
    super(message);
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
  return new FenerApiError(status, code, message, {
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

export class Transport {
  private readonly fetch: FetchLike;

  constructor(private readonly options: TransportOptions) {
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Sends one request; resolves to the parsed JSON body, or throws `FenerApiError`. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new FenerApiError(0, 'network_error', `Could not reach Fener: ${error instanceof Error ? error.message : String(error)}`);
    }
    const raw = await response.text();
    let parsed: unknown;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      throw new FenerApiError(response.status, 'invalid_response', `The server answered ${response.status} with a body that is not JSON.`);
    }
    if (!response.ok) throw errorFromBody(response.status, parsed);
    // The body is Fener's own answer, validated against the route's schema on the server side.
    return parsed as T;
  }
}
