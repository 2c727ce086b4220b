/**
 * The BLEU tokenizers of sacrebleu 2.4.3 (`tokenizers/tokenizer_*.py`), reimplemented:
 * `13a` (mteval-v13a), `intl` (mteval-v14 international), `zh`, `char` and `none`.
 */
import { codePoints, pyCollapse, pyStrip } from './python-text.js';

export const bleuTokenizerNames = ['13a', 'intl', 'zh', 'char', 'none'] as const;
export type BleuTokenizerName = (typeof bleuTokenizerNames)[number];

// tokenizer_re.py: the language-dependent part shared by 13a and zh. The first class is
// `{-~`, `[-\``, ` -&`, `(-+`, `:-@` and `/`.
const symbolPattern = /([{-~[-`\x20-&(-+:-@/])/g;
const periodCommaAfterNonDigit = /([^0-9])([.,])/g;
const periodCommaBeforeNonDigit = /([.,])([^0-9])/g;
const dashAfterDigit = /([0-9])(-)/g;

function regexpTokenize(line: string): string {
  const spaced = line
    .replace(symbolPattern, ' $1 ')
    .replace(periodCommaAfterNonDigit, '$1 $2 ')
    .replace(periodCommaBeforeNonDigit, ' $1 $2')
    .replace(dashAfterDigit, '$1 $2 ');
  return pyCollapse(spaced);
}

function tokenize13a(line: string): string {
  let text = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (text.includes('&')) {
    text = text.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  return regexpTokenize(` ${text} `);
}

const intlPunctuationAfterNonDigit = /(\P{N})(\p{P})/gu;
const intlPunctuationBeforeNonDigit = /(\p{P})(\P{N})/gu;
const intlSymbol = /(\p{S})/gu;

function tokenizeIntl(line: string): string {
  const spaced = line
    .replace(intlPunctuationAfterNonDigit, '$1 $2 ')
    .replace(intlPunctuationBeforeNonDigit, ' $1 $2')
    .replace(intlSymbol, ' $1 ');
  return pyCollapse(spaced);
}

/**
 * tokenizer_zh.py's `_UCODE_RANGES`, compared as Python compares strings. Two of its entries are
 * written `'\u20000'` and `'\u2f800'`, which Python reads as two-character strings; compared with
 * one character they make the ranges U+2001–U+2A6D and U+2F81–U+2FA1, and we keep that behaviour.
 */
const chineseRanges: ReadonlyArray<readonly [number, number]> = [
  [0x3400, 0x4db5],
  [0x4e00, 0x9fa5],
  [0x9fa6, 0x9fbb],
  [0xf900, 0xfa2d],
  [0xfa30, 0xfa6a],
  [0xfa70, 0xfad9],
  [0x2001, 0x2a6d],
  [0x2f81, 0x2fa1],
  [0xff00, 0xffef],
  [0x2e80, 0x2eff],
  [0x3000, 0x303f],
  [0x31c0, 0x31ef],
  [0x2f00, 0x2fdf],
  [0x2ff0, 0x2fff],
  [0x3100, 0x312f],
  [0x31a0, 0x31bf],
  [0xfe10, 0xfe1f],
  [0xfe30, 0xfe4f],
  [0x2600, 0x26ff],
  [0x2700, 0x27bf],
  [0x3200, 0x32ff],
  [0x3300, 0x33ff],
];

function isChineseCharacter(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  for (const [start, end] of chineseRanges) {
    if (code >= start && code <= end) return true;
  }
  return false;
}

function tokenizeZh(line: string): string {
  let spaced = '';
  for (const character of pyStrip(line)) {
    spaced += isChineseCharacter(character) ? ` ${character} ` : character;
  }
  return regexpTokenize(spaced);
}

function tokenizeChar(line: string): string {
  return codePoints(line).join(' ');
}

export function bleuTokenizer(name: BleuTokenizerName): (line: string) => string {
  switch (name) {
    case '13a':
      return tokenize13a;
    case 'intl':
      return tokenizeIntl;
    case 'zh':
      return tokenizeZh;
    case 'char':
      return tokenizeChar;
    case 'none':
      return (line) => line;
  }
}
