/** The cost a call may reach at most, reserved against budgets before it is sent. */
import type { ModelPrice } from '../../core/index.js';

/**
 * Output tokens assumed when neither the request (`max_tokens`) nor the model
 * (`max_output_tokens`) caps them. A stream that goes past it tops its reservation up as it runs
 * (see `Limits.checkRunning`), so the figure bounds how early a budget is held, not what it allows.
 */
export const defaultMaxOutputTokens = 4096;

export interface CostEstimateInput {
  inputTokens: number;
  /** The request's `max_tokens` (or `max_completion_tokens`), when it set one. */
  maxOutputTokens?: number;
  /** The model's `max_output_tokens`, used when the request sets none. */
  modelMaxOutputTokens?: number;
  price: ModelPrice;
}

/** An upper bound in USD: every input token at the full (uncached) rate, and the largest possible output. */
export function estimateCost(input: CostEstimateInput): number {
  const outputTokens = input.maxOutputTokens ?? input.modelMaxOutputTokens ?? defaultMaxOutputTokens;
  return (input.inputTokens * input.price.input_per_mtok + outputTokens * input.price.output_per_mtok) / 1_000_000;
}
