/**
 * The preparation steps. Each sees items one at a time in version order and returns the item
 * (the same object when it did not change it, so its stored body is shared), or a reason to
 * drop it. Steps that remember what they saw (dedupe, near_dedupe) keep 64-bit keys in typed
 * arrays so a million items stay within a few tens of megabytes.
 */
import { createHash } from 'node:crypto';
import { franc } from 'franc-min';
import { countTextTokens } from '../../gateway/index.js';
import { redactPii } from '../../pii/index.js';
import { getPrompt, renderPrompt } from '../../prompts/index.js';
import type { Store } from '../../store/index.js';
import { canonicalJson } from '../../store/index.js';
import { HashSet64 } from '../hash-set.js';
import { inputText, itemText, mapStrings, outputText, prepareItem, type ItemContent, type ItemSplit } from '../item.js';
import { NearDuplicateIndex } from '../minhash.js';
import { assignSplit } from '../splits.js';
import type { StepDefinition, StepOf } from './schema.js';

export interface WorkItem {
  id: string;
  content: ItemContent;
  contentHash: string;
  /** Present when the content is new (not yet stored). */
  body?: string;
  split: ItemSplit | null;
}

export interface StepRunner {
  /** The definition with defaults filled in, as recorded in lineage. */
  readonly params: Record<string, unknown>;
  apply(item: WorkItem): WorkItem | string;
  stats(): Record<string, unknown>;
}

export interface StepContext {
  store: Store;
  /** Items in the input version: sizes the dedupe tables up front. */
  expectedItems: number;
}

/** Counts what a step did, by outcome. */
class Tally {
  private readonly counts = new Map<string, number>();
  add(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** Re-hashes changed content; returns the same item when the content came out identical. */
function withContent(item: WorkItem, content: ItemContent): WorkItem {
  const prepared = prepareItem(item.id, content);
  if (prepared.contentHash === item.contentHash) return item;
  return { id: item.id, content: prepared.content, contentHash: prepared.contentHash, body: prepared.body, split: item.split };
}

function contentStep(params: Record<string, unknown>, map: (text: string) => string): StepRunner {
  const tally = new Tally();
  return {
    params,
    apply(item) {
      let changed = false;
      const mapped = mapStrings(item.content, (text) => {
        const out = map(text);
        if (out !== text) changed = true;
        return out;
      });
      // Re-hashing only what changed keeps the common case (nothing to do) cheap.
      const next = changed ? withContent(item, mapped) : item;
      tally.add(next === item ? 'unchanged' : 'changed');
      return next;
    },
    stats: () => tally.toJSON(),
  };
}

const zeroWidth = /[\u200B-\u200D\u2060\uFEFF]/g;
const horizontalSpace = /[^\S\n]+/g;

export function normaliseText(text: string, form: 'NFC' | 'NFKC', whitespace: boolean): string {
  const normal = text.normalize(form);
  if (!whitespace) return normal;
  return normal
    .replace(zeroWidth, '')
    .replace(/\r\n?/g, '\n')
    .replace(horizontalSpace, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function normalizeStep(definition: StepOf<'normalize'>): StepRunner {
  return contentStep(definition, (text) => normaliseText(text, definition.form, definition.whitespace));
}

function dedupeStep(definition: StepOf<'dedupe'>, context: StepContext): StepRunner {
  const seen = new HashSet64(context.expectedItems);
  const tally = new Tally();
  return {
    params: definition,
    apply(item) {
      const { input, expected, rejected } = item.content;
      const key = definition.scope === 'input' ? canonicalJson({ input }) : canonicalJson({ input, expected, rejected });
      const digest = createHash('sha256').update(key).digest();
      if (!seen.add(digest.readUInt32BE(0), digest.readUInt32BE(4))) {
        tally.add('dropped_duplicate');
        return 'exact duplicate';
      }
      tally.add('kept');
      return item;
    },
    stats: () => ({ ...tally.toJSON(), table_bytes: seen.bytes }),
  };
}

function nearDedupeStep(definition: StepOf<'near_dedupe'>, context: StepContext): StepRunner {
  const { step: _step, ...params } = definition;
  const index = new NearDuplicateIndex(params, context.expectedItems);
  const tally = new Tally();
  return {
    params: { ...definition, threshold: Number((1 / definition.bands) ** (1 / definition.rows)).toFixed(3) },
    apply(item) {
      if (index.isDuplicate(itemText(item.content))) {
        tally.add('dropped_near_duplicate');
        return 'near duplicate';
      }
      tally.add('kept');
      return item;
    },
    stats: () => ({ ...tally.toJSON(), table_bytes: index.bytes }),
  };
}

function lengthStep(definition: StepOf<'length'>): StepRunner {
  const tally = new Tally();
  const needTokens = definition.min_tokens !== undefined || definition.max_tokens !== undefined;
  const textOf = (content: ItemContent): string =>
    definition.field === 'input' ? inputText(content) : definition.field === 'expected' ? outputText(content.expected) : itemText(content);
  return {
    params: definition,
    apply(item) {
      const text = textOf(item.content);
      let reason: string | undefined;
      if (definition.min_chars !== undefined && text.length < definition.min_chars) reason = 'too_few_chars';
      else if (definition.max_chars !== undefined && text.length > definition.max_chars) reason = 'too_many_chars';
      else if (needTokens) {
        const tokens = countTextTokens(text);
        if (definition.min_tokens !== undefined && tokens < definition.min_tokens) reason = 'too_few_tokens';
        else if (definition.max_tokens !== undefined && tokens > definition.max_tokens) reason = 'too_many_tokens';
      }
      tally.add(reason === undefined ? 'kept' : `dropped_${reason}`);
      return reason === undefined ? item : reason.replaceAll('_', ' ');
    },
    stats: () => tally.toJSON(),
  };
}

function languageStep(definition: StepOf<'language'>): StepRunner {
  const tally = new Tally();
  const allowed = new Set(definition.allow);
  return {
    params: definition,
    apply(item) {
      const language = franc(itemText(item.content), { minLength: definition.min_length });
      const keep = allowed.has(language) || (language === 'und' && definition.keep_undetermined);
      tally.add(`${keep ? 'kept' : 'dropped'}_${language}`);
      return keep ? item : `language ${language}`;
    },
    stats: () => tally.toJSON(),
  };
}

function piiStep(definition: StepOf<'pii'>): StepRunner {
  const { salt, ...recorded } = definition;
  const options = { mode: definition.mode, ...(definition.types ? { types: definition.types } : {}), ...(salt ? { salt } : {}) };
  const found = new Tally();
  const runner = contentStep(
    // The salt keys the pseudonyms: lineage shows which salt was used, never the salt itself.
    { ...recorded, ...(salt ? { salt_sha256: createHash('sha256').update(salt).digest('hex').slice(0, 16) } : {}) },
    (text) => {
      const result = redactPii(text, options);
      for (const entity of result.entities) found.add(entity.type);
      return result.text;
    },
  );
  return { ...runner, stats: () => ({ ...runner.stats(), entities: found.toJSON() }) };
}

async function templateStep(definition: StepOf<'template'>, context: StepContext): Promise<StepRunner> {
  const prompt = await getPrompt(context.store, definition.prompt, { label: definition.label, version: definition.version });
  const tally = new Tally();
  return {
    params: { ...definition, resolved_version: prompt.version, prompt_hash: prompt.contentHash },
    apply(item) {
      if (!('variables' in item.content.input)) {
        tally.add('kept_messages');
        return item;
      }
      try {
        const rendered = renderPrompt(prompt.content, item.content.input.variables, { param: `item ${item.id}: variables` });
        const messages = rendered.messages.map((message) => ({
          role: message.role,
          content: typeof message.content === 'string' ? message.content : '',
        }));
        tally.add('rendered');
        return withContent(item, { ...item.content, input: { messages } });
      } catch (error) {
        if (definition.on_error === 'fail') throw error;
        tally.add('dropped_render_error');
        return `template: ${(error as Error).message}`;
      }
    },
    stats: () => tally.toJSON(),
  };
}

function splitStep(definition: StepOf<'split'>): StepRunner {
  const tally = new Tally();
  return {
    params: definition,
    apply(item) {
      const split = assignSplit(definition, item.id);
      tally.add(split);
      return split === item.split ? item : { ...item, split };
    },
    stats: () => tally.toJSON(),
  };
}

export async function createStep(definition: StepDefinition, context: StepContext): Promise<StepRunner> {
  switch (definition.step) {
    case 'normalize':
      return normalizeStep(definition);
    case 'dedupe':
      return dedupeStep(definition, context);
    case 'near_dedupe':
      return nearDedupeStep(definition, context);
    case 'length':
      return lengthStep(definition);
    case 'language':
      return languageStep(definition);
    case 'pii':
      return piiStep(definition);
    case 'template':
      return templateStep(definition, context);
    case 'split':
      return splitStep(definition);
  }
}
