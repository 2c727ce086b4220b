/**
 * Streaming CSV (RFC 4180, through csv-parse). The header names the columns:
 *
 *   id · split · input (a user message) · system (a system message before it) · messages (JSON
 *   array) · variables (JSON object) · var.NAME (one variable as text) · expected · expected_json ·
 *   rejected · rejected_json · metadata (JSON object) · meta.NAME (one metadata value as text)
 *
 * An input column (`input`, `messages`, `variables` or `var.*`) is required; an unknown column
 * stops the import at line 1 (a typo must not silently drop data). Empty cells are absent values.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { FenerError } from '../core/index.js';
import { limitBytes, type ParsedLine, type SourceLimits, defaultLimits } from './jsonl.js';
import { parseRecord, type RecordResult } from './record.js';

const plainColumns = new Set([
  'id',
  'split',
  'input',
  'system',
  'messages',
  'variables',
  'expected',
  'expected_json',
  'rejected',
  'rejected_json',
  'metadata',
]);
const inputColumns = ['input', 'messages', 'variables'];

interface Header {
  names: string[];
}

function checkHeader(names: string[]): Header {
  const unknown = names.filter((name) => !plainColumns.has(name) && !/^(var|meta)\.[^.]+$/.test(name));
  if (unknown.length > 0) {
    throw new FenerError('invalid_request', `line 1: unknown column ${unknown.map((name) => `"${name}"`).join(', ')}`, { param: 'file' });
  }
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new FenerError('invalid_request', `line 1: column "${duplicate}" appears twice`, { param: 'file' });
  if (!names.some((name) => inputColumns.includes(name) || name.startsWith('var.'))) {
    throw new FenerError(
      'invalid_request',
      'line 1: missing required column: give "input", "messages", "variables" or "var.NAME" columns',
      {
        param: 'file',
      },
    );
  }
  return { names };
}

function parseJsonCell(column: string, text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `${column}: not valid JSON (${(error as Error).message})` };
  }
}

/** One row → the record shape JSONL uses, so both formats share one validation. */
function rowRecord(header: Header, cells: string[]): RecordResult {
  if (cells.length !== header.names.length) {
    const missing = header.names.slice(cells.length);
    return {
      ok: false,
      reason:
        cells.length < header.names.length
          ? `missing column ${missing.map((name) => `"${name}"`).join(', ')}`
          : `${cells.length} cells for ${header.names.length} columns`,
    };
  }
  const record: Record<string, unknown> = {};
  const variables: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = {};
  let system: string | undefined;
  for (const [index, name] of header.names.entries()) {
    const text = cells[index] ?? '';
    if (text === '') continue;
    if (name.startsWith('var.')) variables[name.slice(4)] = text;
    else if (name.startsWith('meta.')) metadata[name.slice(5)] = text;
    else if (name === 'system') system = text;
    else if (name === 'input') record.messages = [{ role: 'user', content: text }];
    else if (['messages', 'variables', 'metadata', 'expected_json', 'rejected_json'].includes(name)) {
      const parsed = parseJsonCell(name, text);
      if (!parsed.ok) return parsed;
      record[name.replace('_json', '')] = parsed.value;
    } else record[name] = text;
  }
  if (Object.keys(variables).length > 0) {
    if (record.variables !== undefined && (typeof record.variables !== 'object' || record.variables === null)) {
      return { ok: false, reason: 'variables: expected a JSON object' };
    }
    record.variables = { ...(record.variables as Record<string, unknown> | undefined), ...variables };
  }
  if (Object.keys(metadata).length > 0) record.metadata = { ...(record.metadata as Record<string, unknown> | undefined), ...metadata };
  if (system !== undefined) {
    if (!Array.isArray(record.messages)) return { ok: false, reason: 'system: needs an "input" or "messages" cell to go with' };
    record.messages = [{ role: 'system', content: system }, ...(record.messages as unknown[])];
  }
  return parseRecord(record);
}

/** CSV records with the line each ends on; rows the CSV grammar refuses are reported too. */
export async function* parseCsv(source: AsyncIterable<Buffer | string>, limits: SourceLimits = defaultLimits): AsyncGenerator<ParsedLine> {
  const skipped: ParsedLine[] = [];
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: limits.maxLineBytes,
  });
  parser.on('skip', (error: Error & { lines?: number }) => {
    skipped.push({ line: error.lines ?? parser.info.lines, result: { ok: false, reason: `malformed CSV: ${error.message}` } });
  });
  const input = Readable.from(limitBytes(source, limits.maxBytes));
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let header: Header | undefined;
  for await (const entry of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skipped.splice(0);
    if (!header) {
      header = checkHeader(entry.record.map((name) => name.trim()));
      continue;
    }
    yield { line: entry.info.lines, result: rowRecord(header, entry.record) };
  }
  yield* skipped.splice(0);
  if (!header) throw new FenerError('invalid_request', 'line 1: the CSV file has no header row', { param: 'file' });
}
