/**
 * Reads a provider's API key from the environment. A variable the configuration names but the
 * environment lacks is a start-up error naming that variable, not a 401 on the first request.
 */
import { FenerError } from '../../core/index.js';
import type { ProviderConfig } from '../../core/index.js';

export interface ApiKeyOptions {
  /** Variable read when the config names none, e.g. `OPENAI_API_KEY`. */
  defaultEnv?: string;
  /** Whether the upstream cannot work without a key (hosted APIs) or may (local servers). */
  required: boolean;
}

export function apiKeyFromEnv(config: ProviderConfig, env: NodeJS.ProcessEnv, options: ApiKeyOptions): string | undefined {
  const name = config.api_key_env ?? options.defaultEnv;
  if (name === undefined) return undefined;
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  if (config.api_key_env === undefined && !options.required) return undefined;
  throw new FenerError(
    'invalid_request',
    `provider "${config.id}" needs an API key: environment variable ${name} is not set` +
      (config.api_key_env === undefined ? ' (or name another one with api_key_env)' : ' (named by api_key_env)'),
  );
}
