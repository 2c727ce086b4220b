/**
 * Exports as streams: a version is read a page at a time and written out as it is read, so a
 * million items never sit in memory. `jsonl` and `csv` import back to the same content hash.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Store } from '../store/index.js';
import { parseBody, type ItemContent, type ItemOutput, type ItemSplit } from './item.js';

export const exportFormats = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportSource {
  versionId: string;
  split?: ItemSplit;
  onProgress?: (written: number) => void;
}

export interface ExportedItem {
  id: string;
  split: ItemSplit | null;
  content: ItemContent;
}

/** A version's items in order, parsed, a page at a time. */
export async function* exportedItems(store: Store, source: ExportSource): AsyncGenerator<ExportedItem[]> {
  let written = 0;
  for await (const page of store.datasets.iterate(source.versionId, source.split ? { split: source.split } : {})) {
    yield page.map((item) => ({ id: item.id, split: item.split, content: parseBody(item.body) }));
    written += page.length;
    source.onProgress?.(written);
  }
}

export function jsonlRecord(item: ExportedItem): Record<string, unknown> {
  return { id: item.id, ...(item.split === null ? {} : { split: item.split }), ...item.content };
}

async function* jsonlLines(store: Store, source: ExportSource): AsyncGenerator<string> {
  for await (const page of exportedItems(store, source)) {
    yield page.map((item) => `${JSON.stringify(jsonlRecord(item))}\n`).join('');
  }
}

export const csvColumns = [
  'id',
  'split',
  'messages',
  'variables',
  'expected',
  'expected_json',
  'rejected',
  'rejected_json',
  'metadata',
] as const;

/** Text outputs go in `expected`, structured ones as JSON in `expected_json`, so they import back as they were. */
function outputCells(name: 'expected' | 'rejected', output: ItemOutput | undefined): Record<string, string> {
  if (output === undefined || output === null) return {};
  return typeof output === 'string' ? { [name]: output } : { [`${name}_json`]: JSON.stringify(output) };
}

export function csvRow(item: ExportedItem): Record<string, string> {
  const { input, expected, rejected, metadata } = item.content;
  return {
    id: item.id,
    split: item.split ?? '',
    ...('messages' in input ? { messages: JSON.stringify(input.messages) } : { variables: JSON.stringify(input.variables) }),
    ...outputCells('expected', expected),
    ...outputCells('rejected', rejected),
    ...(metadata === undefined ? {} : { metadata: JSON.stringify(metadata) }),
  };
}

async function* csvRows(store: Store, source: ExportSource): AsyncGenerator<Record<string, string>> {
  for await (const page of exportedItems(store, source)) for (const item of page) yield csvRow(item);
}

export function exportStream(store: Store, format: ExportFormat, source: ExportSource): Readable {
  if (format === 'jsonl') return Readable.from(jsonlLines(store, source));
  const rows = Readable.from(csvRows(store, source));
  const writer = stringify({ header: true, columns: [...csvColumns] });
  rows.on('error', (error) => writer.destroy(error));
  return rows.pipe(writer);
}
