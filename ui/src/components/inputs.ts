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
