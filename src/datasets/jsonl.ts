/**
 * Streaming JSONL: lines are cut from the byte stream as they arrive (never the whole file in
 * memory), numbered from 1, and each parsed on its own so a bad line is reported and skipped.
 */
import { FenerError } from '../core/index.js';
import { parseRecord, type RecordResult } from './record.js';

export interface SourceLimits {
  /** The whole upload; past it the import stops with `payload_too_large` (and writes nothing). */
  maxBytes: number;
  /** One line; a longer line is rejected and skipped without being held in memory. */
  maxLineBytes: number;
}

export const defaultLimits: SourceLimits = { maxBytes: 1024 ** 3, maxLineBytes: 8 * 1024 ** 2 };

export interface ParsedLine {
  line: number;
  result: RecordResult;
}

export function tooLarge(maxBytes: number): FenerError {
  return new FenerError('payload_too_large', `the upload is larger than the limit of ${formatBytes(maxBytes)}`);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(bytes % 1024 ** 3 === 0 ? 0 : 1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(bytes % 1024 ** 2 === 0 ? 0 : 1)} MiB`;
  return `${bytes} bytes`;
}

/** Counts bytes as they pass and throws once `maxBytes` is exceeded. */
export async function* limitBytes(source: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buffer.length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    yield buffer;
  }
}

export type RawLine = { line: number; text: string } | { line: number; tooLong: true };

/**
 * Splits a byte stream at `\n` (a byte that never occurs inside a multi-byte UTF-8 character),
 * dropping `\r` before it and a BOM at the start.
 */
export async function* splitLines(source: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let pending = 0;
  let line = 0;
  let skipping = false;
  const finish = (tail: Buffer): RawLine => {
    line++;
    if (skipping) {
      skipping = false;
      parts = [];
      pending = 0;
      return { line, tooLong: true };
    }
    const bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    parts = [];
    pending = 0;
    let text = bytes.toString('utf8');
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { line, text };
  };
  for await (const chunk of source) {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline >= 0; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      if (!skipping && pending + piece.length > maxLineBytes) skipping = true;
      yield finish(skipping ? Buffer.alloc(0) : piece);
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) continue;
    if (!skipping && pending + rest.length > maxLineBytes) skipping = true;
    if (!skipping) {
      parts.push(rest);
      pending += rest.length;
    }
  }
  if (pending > 0 || skipping) yield finish(Buffer.alloc(0));
}

/** JSONL records with their line numbers; blank lines are skipped. */
export async function* parseJsonl(
  source: AsyncIterable<Buffer | string>,
  limits: SourceLimits = defaultLimits,
): AsyncGenerator<ParsedLine> {
  for await (const raw of splitLines(limitBytes(source, limits.maxBytes), limits.maxLineBytes)) {
    if ('tooLong' in raw) {
      yield { line: raw.line, result: { ok: false, reason: `line longer than ${formatBytes(limits.maxLineBytes)}` } };
      continue;
    }
    if (raw.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw.text);
    } catch (error) {
      yield { line: raw.line, result: { ok: false, reason: `malformed JSON: ${(error as Error).message}` } };
      continue;
    }
    yield { line: raw.line, result: parseRecord(value) };
  }
}
