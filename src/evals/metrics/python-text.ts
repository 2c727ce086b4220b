/**
 * Python's string semantics where the reference libraries depend on them: `str.split()` and
 * `str.strip()` split on Python's whitespace set (which differs from JavaScript's `\s`: it adds
 * U+001C–U+001F and U+0085 and leaves out U+FEFF), and Python indexes strings by code point.
 */
const whitespaceClass = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const whitespaceRun = new RegExp(`[${whitespaceClass}]+`, 'g');
const leadingWhitespace = new RegExp(`^[${whitespaceClass}]+`);
const trailingWhitespace = new RegExp(`[${whitespaceClass}]+$`);
const surrogate = /[\uD800-\uDFFF]/;

function isPythonWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python's `text.split()` (no argument): split on whitespace runs, no empty strings. */
export function pySplit(text: string): string[] {
  const parts: string[] = [];
  let start = -1;
  for (let index = 0; index < text.length; index += 1) {
    if (isPythonWhitespace(text.charCodeAt(index))) {
      if (start >= 0) {
        parts.push(text.slice(start, index));
        start = -1;
      }
    } else if (start < 0) {
      start = index;
    }
  }
  if (start >= 0) parts.push(text.slice(start));
  return parts;
}

/** Python's `' '.join(text.split())`. */
export function pyCollapse(text: string): string {
  return pySplit(text).join(' ');
}

/** Python's `''.join(text.split())`: every whitespace character removed. */
export function pyRemoveWhitespace(text: string): string {
  return text.replace(whitespaceRun, '');
}

export function pyStrip(text: string): string {
  return text.replace(leadingWhitespace, '').replace(trailingWhitespace, '');
}

export function pyRstrip(text: string): string {
  return text.replace(trailingWhitespace, '');
}

/** Whether every character of `text` is one UTF-16 unit, so `.length` and `.slice` count code points. */
export function isSingleUnit(text: string): boolean {
  return !surrogate.test(text);
}

/** The code points of `text` (Python's `list(text)`). */
export function codePoints(text: string): string[] {
  return isSingleUnit(text) ? text.split('') : Array.from(text);
}

/** Python's `len(text)`. */
export function pyLength(text: string): number {
  return isSingleUnit(text) ? text.length : Array.from(text).length;
}
