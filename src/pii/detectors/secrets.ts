import type { PiiEntity } from '../types.js';
import { scan } from './scan.js';

/**
 * Well-known credential formats. Each starts at a token boundary and has a bounded body, so a
 * long run of token characters costs one bounded attempt.
 */
const tokenPatterns: readonly { gate: string; pattern: RegExp }[] = [
  // Anthropic, then OpenAI (project, service-account, admin and legacy keys).
  { gate: 'sk-ant-', pattern: /(?<![\w-])sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{20,200}/g },
  { gate: 'sk-', pattern: /(?<![\w-])sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,200}/g },
  // AWS access key ids.
  { gate: 'A', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  // GitHub classic and fine-grained tokens.
  { gate: 'gh', pattern: /(?<![\w])gh[pousr]_[A-Za-z0-9]{36,255}(?!\w)/g },
  { gate: 'github_pat_', pattern: /(?<![\w])github_pat_[A-Za-z0-9_]{22,255}/g },
  // Slack tokens and webhooks.
  { gate: 'xox', pattern: /(?<![\w-])xox[abposre]-[A-Za-z0-9-]{10,250}/g },
  { gate: 'hooks.slack.com', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]{20,120}/g },
  // Google API keys.
  { gate: 'AIza', pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  // Stripe secret and restricted keys (publishable pk_ keys are public by design).
  { gate: 'k_', pattern: /(?<![\w])(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}/g },
  // JSON Web Tokens: header and payload are base64url JSON objects.
  { gate: 'eyJ', pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{5,4096}\.eyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{10,1024}/g },
];

/** The value after `Bearer ` (the word itself stays, it is not a secret). */
const bearerPattern = /(?<![\w])[Bb]earer[ \t]{1,4}([A-Za-z0-9._~+/-]{16,4096}=*)/g;
/** `password=…`, `api_key: "…"`, `client_secret=…`: the value is reported. */
const assignmentPattern =
  /(?<![A-Za-z0-9])(?:pass(?:word|wd)?|parola(?:m|sı)?|[şŞ]ifre(?:m|si|niz)?|passwort|kennwort|secret|client_secret|api[_-]?key|access[_-]?token|auth[_-]?token)["']?[ \t]{0,3}[:=][ \t]{0,3}["']?([^\s"'`,;]{6,512})/gi;

const assignmentGate = /pass|parola|ifre|kennwort|secret|key|token/i;

const pemBegin = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/g;
const pemEnd = /-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/g;

export function detectSecrets(text: string): PiiEntity[] {
  const entities: PiiEntity[] = [];
  for (const { gate, pattern } of tokenPatterns) {
    if (text.includes(gate)) entities.push(...scan(text, { type: 'secret', pattern }));
  }
  if (text.includes('earer')) entities.push(...scan(text, { type: 'secret', pattern: bearerPattern, group: 'tail' }));
  entities.push(...scan(text, { type: 'secret', pattern: assignmentPattern, group: 'tail', gate: assignmentGate, accept: notPlaceholder }));
  entities.push(...privateKeyBlocks(text));
  return entities;
}

/** `password: ********` or `api_key=<your key>` are documentation, not secrets. */
function notPlaceholder(value: string): boolean {
  if (/^[*xX•.<>[\]{}$%-]+$/.test(value) || /^[<{[$%]/.test(value)) return false;
  return !/^(?:redacted|changeme|example|password|secret|null|none|undefined|true|false)$/i.test(value);
}

/**
 * A BEGIN line up to its END line. Found with two forward scans instead of one lazy regex, so a
 * text full of BEGIN lines without END is still linear.
 */
function privateKeyBlocks(text: string): PiiEntity[] {
  if (!text.includes('PRIVATE KEY-----')) return [];
  const entities: PiiEntity[] = [];
  const begin = new RegExp(pemBegin.source, 'g');
  const end = new RegExp(pemEnd.source, 'g');
  for (let opening = begin.exec(text); opening !== null; opening = begin.exec(text)) {
    end.lastIndex = opening.index + opening[0].length;
    const closing = end.exec(text);
    if (closing === null) break;
    const stop = closing.index + closing[0].length;
    entities.push({ type: 'secret', start: opening.index, end: stop });
    begin.lastIndex = stop;
  }
  return entities;
}
