import pino, { type Logger } from 'pino';
import { loadConfig, type FenerConfig } from '../core/index.js';
import { openStore, type Store } from '../store/index.js';

export interface GlobalOptions {
  config?: string;
}

export function readConfig(options: GlobalOptions, overrides: { port?: number; host?: string } = {}): FenerConfig {
  return loadConfig({ ...(options.config ? { path: options.config } : {}), overrides });
}

/** Structured JSON logs on stdout, as pino writes them. */
export function createLogger(config: FenerConfig): Logger {
  return pino({ level: config.log_level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** Opens the configured database for a one-shot command, and always closes it. */
export async function withStore<T>(options: GlobalOptions, run: (store: Store, config: FenerConfig) => Promise<T>): Promise<T> {
  const config = readConfig(options);
  const store = await openStore({ ...(config.database_url ? { databaseUrl: config.database_url } : {}), dataDir: config.data_dir });
  try {
    return await run(store, config);
  } finally {
    await store.close();
  }
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Plain aligned columns for terminal lists. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port: expected 0–65535, got "${value}"`);
  return port;
}
