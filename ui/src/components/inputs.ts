/** What form fields hold, turned into what the API takes. */

/** '' → absent; a number otherwise (a non-number reaches the API, which names the field). */
export function optionalNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

/** "a, b,c" or one per line → ['a', 'b', 'c']. */
export function listOf(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * A typed option value as `--option key=value` reads it on the command line: JSON when it parses
 * (numbers, booleans, lists, objects), the text itself otherwise.
 */
export function optionValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** '' → absent; a JSON object otherwise, or an error naming the field (shown like the API's). */
export function optionalJsonObject(text: string, field: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${field}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${field}: expected a JSON object`);
  return value as Record<string, unknown>;
}
