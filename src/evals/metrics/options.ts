import { FenerError } from '../../core/index.js';

/**
 * Typed readers for metric options. Each one names the option in its error, so a caller sees
 * `options.smooth_value must be a number` rather than a wrong score.
 */
export function optionString<T extends string>(
  options: Record<string, unknown>,
  name: string,
  choice: { allowed: readonly T[]; fallback: T },
): T {
  const { allowed, fallback } = choice;
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidOption(name, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function optionText(options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidOption(name, 'must be a string');
  return value;
}

export function optionBoolean(options: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  // The CLI passes `--option lowercase=true` as text.
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidOption(name, 'must be a boolean');
}

export function optionNumber(
  options: Record<string, unknown>,
  name: string,
  range: { fallback: number; min?: number; integer?: boolean },
): number {
  const fallback = range.fallback;
  const raw = options[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidOption(name, 'must be a number');
  if (range.integer === true && !Number.isInteger(value)) throw invalidOption(name, 'must be an integer');
  if (range.min !== undefined && value < range.min) throw invalidOption(name, `must be at least ${range.min}`);
  return value;
}

export function invalidOption(name: string, message: string): FenerError {
  return new FenerError('invalid_request', `options.${name} ${message}`, { param: `options.${name}` });
}
