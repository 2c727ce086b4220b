/**
 * What a fine-tuning export is checked against: the target model's context window (from the
 * model catalogue: `fener.yaml` models, then models added through `/api/models`, which include
 * registry versions) and the training price per million tokens.
 *
 * Training prices are not part of the catalogue (it prices inference). They come, in order, from
 * the caller (`training_price_per_mtok` / `--training-price-per-mtok`), or from the list below:
 * OpenAI's published fine-tuning list prices at the time of writing, keyed by upstream model.
 * Prices change: pass the price when the estimate matters. Without either, the cost is unknown.
 */
import type { FenerConfig } from '../core/index.js';
import type { Store } from '../store/index.js';

interface KnownTarget {
  trainingPerMtok: number;
  /** The most tokens one training example may have (OpenAI documents this per model). */
  exampleLimit: number;
}

const knownTargets: Record<string, KnownTarget> = {
  'gpt-4o-mini': { trainingPerMtok: 3, exampleLimit: 65_536 },
  'gpt-4o-mini-2024-07-18': { trainingPerMtok: 3, exampleLimit: 65_536 },
  'gpt-4o': { trainingPerMtok: 25, exampleLimit: 65_536 },
  'gpt-4o-2024-08-06': { trainingPerMtok: 25, exampleLimit: 65_536 },
  'gpt-4.1': { trainingPerMtok: 25, exampleLimit: 65_536 },
  'gpt-4.1-2025-04-14': { trainingPerMtok: 25, exampleLimit: 65_536 },
  'gpt-4.1-mini': { trainingPerMtok: 5, exampleLimit: 65_536 },
  'gpt-4.1-mini-2025-04-14': { trainingPerMtok: 5, exampleLimit: 65_536 },
  'gpt-4.1-nano': { trainingPerMtok: 1.5, exampleLimit: 65_536 },
  'gpt-4.1-nano-2025-04-14': { trainingPerMtok: 1.5, exampleLimit: 65_536 },
  'gpt-3.5-turbo': { trainingPerMtok: 8, exampleLimit: 16_385 },
};

export interface FinetuneTarget {
  model: string;
  upstreamModel: string;
  /** Tokens one example may use: the catalogue's context window, else the provider's documented limit. */
  contextWindow: number | undefined;
  contextSource: string;
  trainingPricePerMtok: number | undefined;
  priceSource: string;
}

export async function resolveFinetuneTarget(input: {
  config: FenerConfig;
  store: Store;
  model: string;
  trainingPricePerMtok?: number | undefined;
}): Promise<FinetuneTarget> {
  const declared = input.config.models.find((model) => model.name === input.model);
  const stored = declared ? undefined : (await input.store.models.list()).find((model) => model.name === input.model);
  const upstreamModel = declared?.upstream_model ?? stored?.upstream_model ?? input.model.slice(input.model.indexOf('/') + 1);
  const known = knownTargets[upstreamModel];
  const catalogueWindow = declared?.context_window ?? stored?.context_window;
  const contextWindow = catalogueWindow ?? known?.exampleLimit;
  const contextSource =
    catalogueWindow !== undefined
      ? `model catalogue (${declared ? 'fener.yaml' : '/api/models'})`
      : known
        ? `documented example limit of ${upstreamModel}`
        : 'unknown (declare context_window for the model)';
  const price = input.trainingPricePerMtok ?? known?.trainingPerMtok;
  const priceSource =
    input.trainingPricePerMtok !== undefined
      ? 'given by the caller'
      : known
        ? `list price of ${upstreamModel} fine-tuning (built-in table; pass training_price_per_mtok to override)`
        : 'unknown (pass training_price_per_mtok)';
  return { model: input.model, upstreamModel, contextWindow, contextSource, trainingPricePerMtok: price, priceSource };
}
