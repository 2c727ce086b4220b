/**
 * An incremental Server-Sent Events decoder for upstream streams. It sits on the gateway's hot
 * path, so it scans each chunk once with a compiled regex, keeps only the unfinished tail of the
 * last line, and builds no intermediate arrays of lines.
 */

export interface SseEvent {
  /** The `event:` field, when the upstream named the event (Anthropic does, OpenAI does not). */
  event: string | undefined;
  /** The `data:` lines of the event, joined with "\n". */
  data: string;
}

const lineBreak = /\r\n|\r|\n/g;

export class SseDecoder {
  readonly #text = new TextDecoder('utf-8');
  #rest = '';
  #event: string | undefined = undefined;
  #data: string | undefined = undefined;

  /** Feeds one chunk of the body; returns the events it completed (often none or one). */
  push(chunk: Uint8Array): SseEvent[] {
    // `stream: true` keeps a multi-byte character split across two chunks intact.
    const decoded = this.#text.decode(chunk, { stream: true });
    const text = this.#rest === '' ? decoded : this.#rest + decoded;
    const events: SseEvent[] = [];
    let start = 0;
    lineBreak.lastIndex = 0;
    for (let match = lineBreak.exec(text); match !== null; match = lineBreak.exec(text)) {
      // A lone "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
      if (match[0] === '\r' && match.index === text.length - 1) break;
      this.#line(text.slice(start, match.index), events);
      start = lineBreak.lastIndex;
    }
    this.#rest = start === 0 ? text : text.slice(start);
    return events;
  }

  /** Flushes what is left when the body ends. Lenient: a last event without its blank line counts. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    const tail = this.#rest + this.#text.decode();
    this.#rest = '';
    for (const line of tail.split(lineBreak)) this.#line(line, events);
    this.#line('', events);
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data !== undefined) events.push({ event: this.#event, data: this.#data });
      this.#event = undefined;
      this.#data = undefined;
      return;
    }
    if (line.charCodeAt(0) === 58 /* ":" */) return; // a comment, e.g. ": OPENROUTER PROCESSING"
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* " " */) value = value.slice(1);
    if (field === 'data') this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
    else if (field === 'event') this.#event = value;
    // `id` and `retry` matter to browsers reconnecting, not to a proxy reading one response.
  }
}

/** Reads a body of byte chunks as SSE events. */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new SseDecoder();
  for await (const chunk of body) {
    const events = decoder.push(chunk);
    for (let i = 0; i < events.length; i++) yield events[i]!;
  }
  yield* decoder.end();
}
