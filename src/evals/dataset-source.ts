/**
 * Experiments over a stored dataset version: `dataset: NAME@VERSION` (a number or `latest`), with
 * an optional split, `NAME@VERSION:test`. Items are read page by page from the store, never all at
 * once, in the version's order; an item's id is its dataset item id, so resume and paired
 * comparison line items up across runs.
 */
import { FenerError } from '../core/index.js';
import { itemSplits, parseBody, type ItemContent, type ItemSplit } from '../datasets/index.js';
import type { DatasetVersion, Store } from '../store/index.js';
import type { EvalItem, ItemSource } from './items.js';
import type { DatasetResolver } from './sources.js';

const referencePattern = /^([^@:\s]+)(?:@(latest|\d+))?(?::([a-z]+))?$/;

export interface DatasetReference {
  name: string;
  version: number | 'latest';
  split: ItemSplit | undefined;
}

export function parseDatasetReference(reference: string): DatasetReference {
  const match = referencePattern.exec(reference.trim());
  const split = match?.[3];
  if (!match?.[1] || (split !== undefined && !(itemSplits as readonly string[]).includes(split))) {
    throw new FenerError('invalid_request', `dataset "${reference}": expected NAME@VERSION or NAME@VERSION:${itemSplits.join('|')}`, {
      param: 'dataset',
    });
  }
  const version = match[2] === undefined || match[2] === 'latest' ? 'latest' : Number(match[2]);
  return { name: match[1], version, split: split as ItemSplit | undefined };
}

/** Texts of an expected output: a string as it is, JSON as its canonical text (what `exact_match` compares). */
function expectedTexts(expected: ItemContent['expected']): string[] {
  if (expected === undefined || expected === null) return [];
  return [typeof expected === 'string' ? expected : JSON.stringify(expected)];
}

export function toEvalItem(stored: { id: string; body: string }, index: number): EvalItem {
  const content = parseBody(stored.body);
  const messages = 'messages' in content.input ? content.input.messages : [];
  const variables = 'variables' in content.input ? content.input.variables : undefined;
  return { id: stored.id, index, messages, variables, expected: expectedTexts(content.expected), metadata: content.metadata ?? {} };
}

class DatasetItemSource implements ItemSource {
  readonly description: string;
  private resolved: Promise<DatasetVersion> | undefined;

  constructor(
    private readonly store: Store,
    private readonly reference: DatasetReference,
  ) {
    const { name, version, split } = reference;
    this.description = `dataset:${name}@${version}${split ? `:${split}` : ''}`;
  }

  private version(): Promise<DatasetVersion> {
    this.resolved ??= (async () => {
      const dataset = await this.store.datasets.require(this.reference.name);
      return this.store.datasets.version(dataset, this.reference.version === 'latest' ? undefined : this.reference.version);
    })();
    return this.resolved;
  }

  async count(): Promise<number> {
    const version = await this.version();
    if (this.reference.split === undefined) return version.itemCount;
    let total = 0;
    for await (const page of this.store.datasets.iterate(version.id, { split: this.reference.split })) total += page.length;
    return total;
  }

  async *items(): AsyncIterable<EvalItem> {
    const version = await this.version();
    let index = 0;
    const options = this.reference.split === undefined ? {} : { split: this.reference.split };
    for await (const page of this.store.datasets.iterate(version.id, options)) {
      for (const stored of page) yield toEvalItem(stored, index++);
    }
  }
}

/** The resolver the server and the CLI hand to experiments, so `dataset: NAME@VERSION` reads the store. */
export function storedDatasets(store: Store): DatasetResolver {
  return (reference) => new DatasetItemSource(store, parseDatasetReference(reference));
}
