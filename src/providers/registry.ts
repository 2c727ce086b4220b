/**
 * One factory from a `fener.yaml` provider entry to a `Provider`, dispatching on its type.
 * API keys are read here, once, from the environment given (not `process.env`, so tests and
 * the control plane can pass their own).
 */
import type { ProviderConfig } from '../core/index.js';
import { createAnthropicProviderFromConfig } from './anthropic/index.js';
import { createLlamaCppProvider } from './llama-cpp/index.js';
import { createOpenAICompatibleProviderFromConfig, createOpenAIProvider } from './openai-compatible/index.js';
import type { Provider } from './spec.js';

/**
 * @example createProvider({ id: 'openai', type: 'openai', headers: {}, timeout_ms: 600000, max_connections: 256 }, process.env)
 * @throws FenerError naming the environment variable when a needed API key is missing.
 */
export function createProvider(config: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  switch (config.type) {
    case 'openai':
      return createOpenAIProvider(config, env);
    case 'openai-compatible':
      return createOpenAICompatibleProviderFromConfig(config, env);
    case 'anthropic':
      return createAnthropicProviderFromConfig(config, env);
    case 'llama-cpp':
      return createLlamaCppProvider(config);
  }
}
