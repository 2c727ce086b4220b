/**
 * Line diffs between two versions of a prompt, section by section (messages, variables,
 * parameters, tools), from a longest-common-subsequence table: prompts are small, so the plain
 * O(n·m) table is fast and its output is the minimal one people expect.
 */
import { stringify } from 'yaml';
import type { PromptContent } from './schema.js';
import { messagesToMarkdown } from './prompt-file.js';

export type DiffOp = 'equal' | 'add' | 'remove';

export interface DiffLine {
  op: DiffOp;
  text: string;
}

export const diffSections = ['messages', 'variables', 'parameters', 'tools'] as const;
export type DiffSection = (typeof diffSections)[number];

export interface PromptDiff {
  identical: boolean;
  sections: Record<DiffSection, DiffLine[]>;
}

/** Beyond this many cells the table would cost too much memory; such texts are shown as replaced. */
const maxCells = 4_000_000;

/** The minimal line diff turning `from` into `to`. */
export function diffLines(from: string[], to: string[]): DiffLine[] {
  const n = from.length;
  const m = to.length;
  if (n * m > maxCells) {
    return [...from.map((text): DiffLine => ({ op: 'remove', text })), ...to.map((text): DiffLine => ({ op: 'add', text }))];
  }
  // lengths[i * (m + 1) + j]: the LCS length of from[i..] and to[j..].
  const lengths = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => lengths[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] = from[i] === to[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (from[i] === to[j]) {
      lines.push({ op: 'equal', text: from[i++] ?? '' });
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      lines.push({ op: 'remove', text: from[i++] ?? '' });
    } else {
      lines.push({ op: 'add', text: to[j++] ?? '' });
    }
  }
  while (i < n) lines.push({ op: 'remove', text: from[i++] ?? '' });
  while (j < m) lines.push({ op: 'add', text: to[j++] ?? '' });
  return lines;
}

function sectionText(content: PromptContent, section: DiffSection): string[] {
  if (section === 'messages') return messagesToMarkdown(content.messages).split('\n');
  const value = content[section];
  const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
  if (empty) return [];
  return stringify(value, { sortMapEntries: true }).trimEnd().split('\n');
}

export function diffPrompts(from: PromptContent, to: PromptContent): PromptDiff {
  const sections = Object.fromEntries(
    diffSections.map((section) => [section, diffLines(sectionText(from, section), sectionText(to, section))]),
  ) as Record<DiffSection, DiffLine[]>;
  const identical = Object.values(sections).every((lines) => lines.every((line) => line.op === 'equal'));
  return { identical, sections };
}

/** The diff as text: one `@@ section` header per changed section, lines prefixed ` `, `+` or `-`. */
export function formatDiff(diff: PromptDiff, header: string): string {
  const out = [header];
  for (const section of diffSections) {
    const lines = diff.sections[section];
    if (lines.every((line) => line.op === 'equal')) continue;
    out.push(`@@ ${section}`);
    for (const line of lines) out.push(`${line.op === 'add' ? '+' : line.op === 'remove' ? '-' : ' '}${line.text}`);
  }
  if (diff.identical) out.push('(identical)');
  return out.join('\n');
}
