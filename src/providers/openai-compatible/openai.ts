/**
 * Presets over the shared OpenAI-compatible base: OpenAI itself, and any compatible server
 * declared in `fener.yaml` with its own base URL.
 */
import type { ProviderConfig } from '../../core/index.js';
import type { Provider } from '../spec.js';
import { apiKeyFromEnv } from './api-key.js';
import { createOpenAICompatibleProvider } from './provider.js';
import type { OpenAICompatibleSettings } from './provider.js';

export const openAIBaseUrl = 'https://api.openai.com/v1';

function settingsFrom(config: ProviderConfig, baseUrl: string, apiKey: string | undefined): OpenAICompatibleSettings {
  const settings: OpenAICompatibleSettings = {
    id: config.id,
    type: config.type,
    baseUrl,
    headers: config.headers,
    timeoutMs: config.timeout_ms,
    maxConnections: config.max_connections,
  };
  if (apiKey !== undefined) settings.apiKey = apiKey;
  return settings;
}

/** OpenAI: key from `OPENAI_API_KEY` unless `api_key_env` names another variable. */
export function openAISettings(config: ProviderConfig, env: NodeJS.ProcessEnv): OpenAICompatibleSettings {
  const apiKey = apiKeyFromEnv(config, env, { defaultEnv: 'OPENAI_API_KEY', required: true });
  return settingsFrom(config, config.base_url ?? openAIBaseUrl, apiKey);
}

/** A compatible server (vLLM, Ollama, Groq, ...): `base_url` required, key only if `api_key_env` names one. */
export function openAICompatibleSettings(config: ProviderConfig, env: NodeJS.ProcessEnv): OpenAICompatibleSettings {
  const apiKey = apiKeyFromEnv(config, env, { required: false });
  // The config schema already demands base_url for this type; the fallback keeps types honest.
  return settingsFrom(config, config.base_url ?? openAIBaseUrl, apiKey);
}

export function createOpenAIProvider(config: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  return createOpenAICompatibleProvider(openAISettings(config, env));
}

export function createOpenAICompatibleProviderFromConfig(config: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  return createOpenAICompatibleProvider(openAICompatibleSettings(config, env));
}
