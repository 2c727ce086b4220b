/**
 * `fener mock-provider` flags → `MockProviderOptions`. Each flag is checked on its own so the error
 * names the flag the user typed (`--error-rate must be …`), not an internal field name.
 */
import { parseArgs } from 'node:util';
import type { FailureOptions, MockProviderOptions } from './options.js';

type NumberKind = 'port' | 'integer' | 'non-negative' | 'rate' | 'status';

interface FlagSpec {
  kind: NumberKind;
  apply: (options: MockProviderOptions, failures: FailureOptions, value: number) => void;
}

const numberFlags: Record<string, FlagSpec> = {
  port: { kind: 'port', apply: (o, _f, v) => (o.port = v) },
  seed: { kind: 'integer', apply: (o, _f, v) => (o.seed = v) },
  'latency-ms': { kind: 'non-negative', apply: (o, _f, v) => (o.latencyMs = v) },
  'ttft-ms': { kind: 'non-negative', apply: (o, _f, v) => (o.ttftMs = v) },
  'tokens-per-second': { kind: 'non-negative', apply: (o, _f, v) => (o.tokensPerSecond = v) },
  'output-tokens': { kind: 'integer', apply: (o, _f, v) => (o.outputTokens = v) },
  'error-rate': { kind: 'rate', apply: (_o, f, v) => (f.errorRate = v) },
  'error-status': { kind: 'status', apply: (_o, f, v) => (f.errorStatus = v) },
  'timeout-rate': { kind: 'rate', apply: (_o, f, v) => (f.timeoutRate = v) },
  'reset-rate': { kind: 'rate', apply: (_o, f, v) => (f.resetRate = v) },
  'cut-stream-rate': { kind: 'rate', apply: (_o, f, v) => (f.cutStreamRate = v) },
  'cut-after-tokens': { kind: 'integer', apply: (_o, f, v) => (f.cutAfterTokens = v) },
  'malformed-rate': { kind: 'rate', apply: (_o, f, v) => (f.malformedRate = v) },
  'retry-after': { kind: 'non-negative', apply: (_o, f, v) => (f.retryAfterSeconds = v) },
};

const expectations: Record<NumberKind, string> = {
  port: 'an integer from 0 to 65535',
  integer: 'a non-negative integer',
  'non-negative': 'a non-negative number',
  rate: 'a number from 0 to 1',
  status: 'an HTTP status from 400 to 599',
};

function isValid(kind: NumberKind, value: number): boolean {
  if (!Number.isFinite(value) || value < 0) return false;
  switch (kind) {
    case 'port':
      return Number.isInteger(value) && value <= 65535;
    case 'integer':
      return Number.isInteger(value) && value <= 0xffffffff;
    case 'rate':
      return value <= 1;
    case 'status':
      return Number.isInteger(value) && value >= 400 && value <= 599;
    case 'non-negative':
      return true;
  }
}

/**
 * `parseArgs` refuses `--port -1` as ambiguous; joining it into `--port=-1` lets the range check
 * below report what is actually wrong ("must be an integer from 0 to 65535").
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (arg.startsWith('--') && Object.hasOwn(numberFlags, arg.slice(2)) && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/**
 * Parses the arguments that follow `mock-provider`, e.g.
 * `['--port', '4100', '--seed', '7', '--error-rate', '0.1', '--error-status', '503']`.
 * Unknown flags, missing values and invalid numbers throw an Error that names the flag.
 */
export function parseMockProviderArgs(argv: string[]): MockProviderOptions {
  const config = Object.fromEntries(['host', ...Object.keys(numberFlags)].map((name) => [name, { type: 'string' as const }]));
  const { values } = parseArgs({ args: joinNegativeValues(argv), options: config, strict: true, allowPositionals: false });
  const options: MockProviderOptions = {};
  const failures: FailureOptions = {};
  for (const [name, raw] of Object.entries(values)) {
    if (typeof raw !== 'string') continue;
    if (name === 'host') {
      if (raw.trim() === '') throw new Error('--host must not be empty');
      options.host = raw;
      continue;
    }
    const spec = numberFlags[name];
    if (!spec) continue;
    // Number('') is 0 and Number(' 1') is 1; an explicit pattern refuses both.
    const value = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw) ? Number(raw) : NaN;
    if (!isValid(spec.kind, value)) throw new Error(`--${name} must be ${expectations[spec.kind]}, got "${raw}"`);
    spec.apply(options, failures, value);
  }
  if (Object.keys(failures).length > 0) options.failures = failures;
  return options;
}
