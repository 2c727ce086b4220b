/** The item source an experiment's `dataset` names: a JSONL file, inline items, or (plugged in) a dataset. */
import { isAbsolute, resolve } from 'node:path';
import { FenerError } from '../core/index.js';
import type { ExperimentDefinition } from './definition.js';
import { InlineItemSource, JsonlItemSource, limitItems, type ItemSource } from './items.js';

/** Resolves `dataset: NAME@VERSION` once the datasets module provides it. */
export type DatasetResolver = (reference: string) => ItemSource;

export function itemSourceFor(definition: ExperimentDefinition, datasets?: DatasetResolver): ItemSource {
  const dataset = definition.dataset;
  let source: ItemSource;
  if ('file' in dataset) source = new JsonlItemSource(dataset.file);
  else if ('items' in dataset) source = new InlineItemSource(dataset.items);
  else if (datasets) source = datasets(dataset.dataset);
  else
    throw new FenerError('invalid_request', `dataset "${dataset.dataset}": datasets are not available in this build; use file: or items:`, {
      param: 'dataset',
    });
  return limitItems(source, definition.limit);
}

/** Makes a relative `dataset.file` absolute against `baseDir` (the eval.yaml's folder), so a resumed run finds it from anywhere. */
export function anchorFiles(definition: ExperimentDefinition, baseDir: string): ExperimentDefinition {
  const dataset = definition.dataset;
  if (!('file' in dataset) || isAbsolute(dataset.file)) return definition;
  return { ...definition, dataset: { file: resolve(baseDir, dataset.file) } };
}
