/**
 * List prices (USD per million tokens) of common hosted models, used only for
 * `<provider>/<model>` names that no configuration prices. Prices change: declare models in
 * `fener.yaml` with their price when the cost must be exact.
 */
import type { ModelPrice } from '../core/index.js';

const prices: Record<string, ModelPrice> = {
  'gpt-4o': { input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 },
  'gpt-4o-mini': { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 },
  'gpt-4.1': { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 },
  'gpt-4.1-mini': { input_per_mtok: 0.4, output_per_mtok: 1.6, cached_input_per_mtok: 0.1 },
  'gpt-4.1-nano': { input_per_mtok: 0.1, output_per_mtok: 0.4, cached_input_per_mtok: 0.025 },
  'text-embedding-3-small': { input_per_mtok: 0.02, output_per_mtok: 0 },
  'text-embedding-3-large': { input_per_mtok: 0.13, output_per_mtok: 0 },
  'claude-3-5-haiku-latest': { input_per_mtok: 0.8, output_per_mtok: 4, cached_input_per_mtok: 0.08 },
  'claude-sonnet-4-0': { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3 },
  'claude-opus-4-0': { input_per_mtok: 15, output_per_mtok: 75, cached_input_per_mtok: 1.5 },
};

export function knownPrice(upstreamModel: string): ModelPrice | undefined {
  return prices[upstreamModel];
}
