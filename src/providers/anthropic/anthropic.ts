/**
 * The Anthropic preset: settings from a `fener.yaml` provider entry.
 */
import type { ProviderConfig } from '../../core/index.js';
import { apiKeyFromEnv } from '../openai-compatible/shared.js';
import type { Provider } from '../spec.js';
import { createAnthropicProvider } from './provider.js';
import type { AnthropicSettings } from './provider.js';

export const anthropicBaseUrl = 'https://api.anthropic.com/v1';
/** Anthropic demands `max_tokens`; this applies when neither the client nor the route set one. */
export const anthropicDefaultMaxTokens = 4096;

/** Key from `ANTHROPIC_API_KEY` unless `api_key_env` names another variable. */
export function anthropicSettings(config: ProviderConfig, env: NodeJS.ProcessEnv): AnthropicSettings {
  const apiKey = apiKeyFromEnv(config, env, { defaultEnv: 'ANTHROPIC_API_KEY', required: true });
  const settings: AnthropicSettings = {
    id: config.id,
    baseUrl: withVersionPath(config.base_url ?? anthropicBaseUrl),
    headers: config.headers,
    timeoutMs: config.timeout_ms,
    maxConnections: config.max_connections,
    defaultMaxTokens: anthropicDefaultMaxTokens,
  };
  if (apiKey !== undefined) settings.apiKey = apiKey;
  return settings;
}

/**
 * Anthropic's own SDKs take the base URL without `/v1`; Fener's config wants it with. A bare origin
 * is read the SDK way, so either spelling reaches `/v1/messages`.
 */
function withVersionPath(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  return url.toString().replace(/\/+$/, '');
}

export function createAnthropicProviderFromConfig(config: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  return createAnthropicProvider(anthropicSettings(config, env));
}
