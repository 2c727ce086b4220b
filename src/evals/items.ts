/**
 * Where an experiment's items come from. A small interface so that the datasets module can plug
 * `dataset:NAME@VERSION` in later; implemented here for a JSONL file (read as a stream, so a
 * large file is never held in memory) and for items given inline.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { FenerError } from '../core/index.js';

const messageSchema = z.looseObject({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']), content: z.unknown() });

export const itemSchema = z.strictObject({
  id: z.union([z.string().min(1).max(200), z.number().int()]).optional(),
  input: z.union([
    z.strictObject({ messages: z.array(messageSchema).min(1), variables: z.record(z.string(), z.unknown()).optional() }),
    z.strictObject({ variables: z.record(z.string(), z.unknown()) }),
  ]),
  expected: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export interface EvalItem {
  /** Stable across re-reads: the item's `id`, else its position (`#0`, `#1`, …). */
  id: string;
  index: number;
  messages: { role: string; content: unknown }[];
  variables: Record<string, unknown> | undefined;
  /** Reference answers (one or more); empty when the item has none. */
  expected: string[];
  metadata: Record<string, unknown>;
}

export interface ItemSource {
  /** Describes the source for reports, e.g. `file:data/qa.jsonl`. */
  readonly description: string;
  /** How many items there are (for the progress bar); may read the source once. */
  count(): Promise<number>;
  /** The items in order; throws `invalid_request` naming the line or index of a bad item. */
  items(): AsyncIterable<EvalItem>;
}

export function parseItem(raw: unknown, index: number, where: string): EvalItem {
  const result = itemSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    throw new FenerError('invalid_request', `${where}: ${path === '' ? '' : `${path}: `}${issue?.message ?? 'invalid item'}`, {
      param: 'dataset',
    });
  }
  const item = result.data;
  const expected = item.expected === undefined ? [] : typeof item.expected === 'string' ? [item.expected] : item.expected;
  return {
    id: item.id === undefined ? `#${index}` : String(item.id),
    index,
    messages: 'messages' in item.input ? item.input.messages : [],
    variables: item.input.variables,
    expected,
    metadata: item.metadata ?? {},
  };
}

export class InlineItemSource implements ItemSource {
  readonly description = 'inline';

  constructor(private readonly raw: readonly unknown[]) {}

  count(): Promise<number> {
    return Promise.resolve(this.raw.length);
  }

  async *items(): AsyncIterable<EvalItem> {
    const ids = new Set<string>();
    for (const [index, raw] of this.raw.entries()) yield unique(parseItem(raw, index, `items[${index}]`), ids);
  }
}

export class JsonlItemSource implements ItemSource {
  readonly description: string;

  constructor(private readonly path: string) {
    this.description = `file:${path}`;
  }

  async count(): Promise<number> {
    let count = 0;
    for await (const line of this.lines()) if (line.trim() !== '') count++;
    return count;
  }

  async *items(): AsyncIterable<EvalItem> {
    const ids = new Set<string>();
    let index = 0;
    let lineNumber = 0;
    for await (const line of this.lines()) {
      lineNumber++;
      if (line.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        throw new FenerError('invalid_request', `${this.path}:${lineNumber}: not valid JSON`, { param: 'dataset' });
      }
      yield unique(parseItem(raw, index, `${this.path}:${lineNumber}`), ids);
      index++;
    }
  }

  private async *lines(): AsyncIterable<string> {
    const stream = createReadStream(this.path, { encoding: 'utf8' });
    const opened = new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (error) =>
        reject(new FenerError('invalid_request', `cannot read ${this.path}: ${error.message}`, { param: 'dataset' })),
      );
    });
    await opened;
    yield* createInterface({ input: stream, crlfDelay: Infinity });
  }
}

/** Results are keyed by item id, so two items with one id would overwrite each other's place. */
function unique(item: EvalItem, ids: Set<string>): EvalItem {
  if (ids.has(item.id)) throw new FenerError('invalid_request', `item id "${item.id}" appears twice`, { param: 'dataset' });
  ids.add(item.id);
  return item;
}

/** Stops after `limit` items. */
export function limitItems(source: ItemSource, limit: number | undefined): ItemSource {
  if (limit === undefined) return source;
  return {
    description: `${source.description} (first ${limit})`,
    count: async () => Math.min(limit, await source.count()),
    async *items() {
      if (limit <= 0) return;
      for await (const item of source.items()) {
        yield item;
        if (item.index + 1 >= limit) return;
      }
    },
  };
}
