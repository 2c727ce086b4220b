/**
 * Reads `fener.yaml` and the environment into one validated `FenerConfig`. Everything that can
 * be wrong with the configuration is found here, before anything starts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type FenerConfig } from './config.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** Path from `--config`; otherwise `FENER_CONFIG`, otherwise `./fener.yaml` when it exists. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line overrides, applied last. */
  overrides?: { port?: number; host?: string };
}

export function loadConfig(options: LoadConfigOptions = {}): FenerConfig {
  const env = options.env ?? process.env;
  const path = options.path ?? env.FENER_CONFIG ?? (existsSync('fener.yaml') ? 'fener.yaml' : undefined);
  const fileConfig = path === undefined ? {} : readConfigFile(path);
  const raw = applyEnvironment(fileConfig, env, options.overrides ?? {});
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(formatIssues(path ?? 'configuration', result.error));
  return withDetectedProviders(result.data, env);
}

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new ConfigError(`${path}: file not found`);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${path}: the top level must be a mapping`);
  return parsed as Record<string, unknown>;
}

function applyEnvironment(
  file: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  overrides: { port?: number; host?: string },
): Record<string, unknown> {
  const server = { ...(isRecord(file.server) ? file.server : {}) };
  if (env.FENER_HOST) server.host = env.FENER_HOST;
  if (env.FENER_PORT) server.port = numberFromEnv('FENER_PORT', env.FENER_PORT);
  if (env.FENER_UPLOAD_LIMIT_BYTES) server.upload_limit_bytes = numberFromEnv('FENER_UPLOAD_LIMIT_BYTES', env.FENER_UPLOAD_LIMIT_BYTES);
  if (overrides.host !== undefined) server.host = overrides.host;
  if (overrides.port !== undefined) server.port = overrides.port;
  const raw: Record<string, unknown> = { ...file, server };
  if (env.FENER_DATA_DIR) raw.data_dir = env.FENER_DATA_DIR;
  if (env.DATABASE_URL) raw.database_url = env.DATABASE_URL;
  if (env.REDIS_URL) raw.redis_url = env.REDIS_URL;
  if (env.FENER_LOG_LEVEL) raw.log_level = env.FENER_LOG_LEVEL;
  return raw;
}

function numberFromEnv(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number)) throw new ConfigError(`${name}: expected an integer, got "${value}"`);
  return number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path
      .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
      .join('')
      .replace(/^\./, '');
    return `  ${field || '(top level)'}: ${issue.message}`;
  });
  return `invalid configuration in ${source}:\n${lines.join('\n')}`;
}

/**
 * With no providers configured, a newcomer's usual environment variables are enough: each
 * detected provider serves `<provider>/<model>` names (e.g. `openai/gpt-4o-mini`).
 */
function withDetectedProviders(config: FenerConfig, env: NodeJS.ProcessEnv): FenerConfig {
  if (config.providers.length > 0) return config;
  const base = { headers: {}, timeout_ms: 600_000, max_connections: 256 };
  const providers: FenerConfig['providers'] = [];
  const models: FenerConfig['models'] = [];
  if (env.OPENAI_API_KEY) providers.push({ ...base, id: 'openai', type: 'openai', api_key_env: 'OPENAI_API_KEY' });
  if (env.ANTHROPIC_API_KEY) providers.push({ ...base, id: 'anthropic', type: 'anthropic', api_key_env: 'ANTHROPIC_API_KEY' });
  if (env.OLLAMA_HOST) {
    const host = env.OLLAMA_HOST.startsWith('http') ? env.OLLAMA_HOST : `http://${env.OLLAMA_HOST}`;
    providers.push({ ...base, id: 'ollama', type: 'openai-compatible', base_url: `${host.replace(/\/$/, '')}/v1` });
  }
  if (env.FENER_LOCAL_MODEL) {
    providers.push({ ...base, id: 'local', type: 'llama-cpp', model_path: env.FENER_LOCAL_MODEL });
    models.push({ name: 'local', provider: 'local', price: { input_per_mtok: 0, output_per_mtok: 0 }, tasks: ['chat', 'embeddings'] });
  }
  return { ...config, providers, models: [...config.models, ...models] };
}
