import { isIPv4, isIPv6 } from 'node:net';
import type { PiiEntity } from '../types.js';
import { scan } from './scan.js';

// Four dotted parts (a three-part version string never matches), not inside a longer dotted run.
const ipv4Pattern = /(?<![\w.]|\d\.)(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)/g;
// Hex groups and colons (with an optional embedded IPv4 tail); node:net decides what is valid.
const ipv6Pattern =
  /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}|:)?:(?:[0-9A-Fa-f]{0,4}:){1,6}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:]|\.\w)/g;
const credentialsPattern =
  /(?<![\w.+-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:@/?#]{1,128}:[^\s@/?#]{1,256}@[A-Za-z0-9.-]{1,253}(?::\d{1,5})?/g;

export function detectIpAddresses(text: string): PiiEntity[] {
  const v4 = text.includes('.') ? scan(text, { type: 'ip_address', pattern: ipv4Pattern, accept: isIPv4 }) : [];
  const v6 = text.includes(':') ? scan(text, { type: 'ip_address', pattern: ipv6Pattern, accept: plausibleIpv6 }) : [];
  return v4.length === 0 ? v6 : v6.length === 0 ? v4 : [...v4, ...v6];
}

/**
 * Valid IPv6 that does not read like code or a clock: `std::map`, `12:30:45` and MAC addresses are
 * not valid IPv6; `abc::def`-like words need a digit, and a bare `::` is not an address.
 */
function plausibleIpv6(value: string): boolean {
  if (!isIPv6(value) || value === '::') return false;
  return /\d/.test(value);
}

export function detectUrlCredentials(text: string): PiiEntity[] {
  if (!text.includes('://')) return [];
  return scan(text, { type: 'url_credentials', pattern: credentialsPattern });
}
