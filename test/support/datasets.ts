/**
 * Calls to `/api/datasets` as a client makes them (admin key, raw uploads, streamed downloads),
 * and a seed file written in the exact form the JSONL export produces, so that an import followed
 * by an export can be compared byte for byte.
 */
import { request } from 'node:http';
import type { TestServer } from './fener.js';

export interface ApiAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ApiError {
  error: { code: string; message: string; param?: string };
}

/** One call with the admin key; a string body is sent as is with `contentType`, anything else as JSON. */
export async function datasetApi<T>(
  server: TestServer,
  method: string,
  path: string,
  options: { body?: unknown; contentType?: string } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${server.adminKey}` };
  let body: string | Buffer | undefined;
  if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) {
    body = options.body;
    headers['content-type'] = options.contentType ?? 'application/x-ndjson';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** A JSONL record in the export's own form: id, split, then the content keys sorted (canonical JSON). */
export function exportLine(record: { id: string; split?: string; expected?: unknown; input: unknown; metadata?: unknown }): string {
  return `${JSON.stringify(record)}\n`;
}

/** Seven items covering what the formats must carry: system messages, variables, structured and
 * preference outputs, metadata, and text that CSV must quote (commas, quotes, new lines, non-ASCII). */
export const seedRecords = [
  { id: 'q1', expected: 'Hello!', input: { messages: [{ content: 'Hi, I am ada@example.com', role: 'user' }] } },
  {
    id: 'q2',
    expected: 'Paris',
    input: {
      messages: [
        { content: 'Answer in one word.', role: 'system' },
        { content: 'Capital of France?', role: 'user' },
      ],
    },
  },
  { id: 'q3', expected: { answer: 'Norway' }, input: { variables: { city: 'Oslo' } } },
  {
    id: 'q4',
    expected: '4',
    input: { messages: [{ content: 'What is 2+2?', role: 'user' }] },
    metadata: { source: 'seed', tags: ['math'] },
  },
  { id: 'q5', expected: 'Sure, here it is.', input: { messages: [{ content: 'Say no', role: 'user' }] }, rejected: 'No.' },
  { id: 'q6', input: { messages: [{ content: 'Tell me a joke', role: 'user' }] } },
  { id: 'q7', expected: 'ok', input: { messages: [{ content: 'Line one, "quoted",\nline two: Grüße 👋', role: 'user' }] } },
];

export const seedJsonl = seedRecords.map(exportLine).join('');

/**
 * Sends `lines` as a chunked upload (no Content-Length), `chunkLines` lines a write, and resolves
 * with the status and body of the answer, which may come before the whole body was sent.
 */
export function chunkedUpload(
  server: TestServer,
  path: string,
  lines: string[],
  chunkLines = 200,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const call = request(
      `${server.url}${path}`,
      { method: 'POST', headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/x-ndjson' } },
      (response) => {
        answered = true;
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    // The server stops reading a refused upload and closes the connection: a write error after
    // the answer is expected, one before it is a failure.
    call.on('error', (error) => {
      if (!answered) reject(error);
    });
    const write = async (): Promise<void> => {
      for (let start = 0; start < lines.length && !answered; start += chunkLines) {
        const chunk = lines.slice(start, start + chunkLines).join('');
        if (!call.write(chunk)) await new Promise((done) => call.once('drain', done));
      }
      call.end();
    };
    void write().catch(() => undefined);
  });
}
