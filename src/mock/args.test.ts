import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMockProviderArgs } from './index.js';

test('every flag maps to its option', () => {
  const argv = [
    '--port', '4100', '--seed', '7', '--latency-ms', '20', '--ttft-ms', '50', '--tokens-per-second', '200',
    '--output-tokens', '64', '--error-rate', '0.1', '--error-status', '503', '--timeout-rate', '0',
    '--reset-rate', '0.05', '--cut-stream-rate', '0', '--cut-after-tokens', '5', '--malformed-rate', '0.25',
    '--retry-after', '1', '--host', '0.0.0.0',
  ]; // prettier-ignore
  assert.deepEqual(parseMockProviderArgs(argv), {
    host: '0.0.0.0',
    port: 4100,
    seed: 7,
    latencyMs: 20,
    ttftMs: 50,
    tokensPerSecond: 200,
    outputTokens: 64,
    failures: {
      errorRate: 0.1,
      errorStatus: 503,
      timeoutRate: 0,
      resetRate: 0.05,
      cutStreamRate: 0,
      cutAfterTokens: 5,
      malformedRate: 0.25,
      retryAfterSeconds: 1,
    },
  });
});

test('no flags give no options, so the defaults apply', () => {
  assert.deepEqual(parseMockProviderArgs([]), {});
  assert.deepEqual(parseMockProviderArgs(['--port=0']), { port: 0 });
});

test('invalid values throw an error that names the flag', () => {
  const cases: [string[], RegExp][] = [
    [['--port', '-1'], /--port must be an integer from 0 to 65535, got "-1"/],
    [['--port', '70000'], /--port/],
    [['--latency-ms=-5'], /--latency-ms must be a non-negative number/],
    [['--error-rate', '1.5'], /--error-rate must be a number from 0 to 1/],
    [['--reset-rate', '-0.1'], /--reset-rate/],
    [['--seed', 'abc'], /--seed must be a non-negative integer, got "abc"/],
    [['--output-tokens', '2.5'], /--output-tokens/],
    [['--tokens-per-second', ''], /--tokens-per-second/],
    [['--error-status', '200'], /--error-status must be an HTTP status from 400 to 599/],
    [['--retry-after', 'soon'], /--retry-after/],
    [['--cut-after-tokens', '1e400'], /--cut-after-tokens/],
    [['--port'], /--port/],
    [['--bogus', '1'], /--bogus/],
    [['--host', ' '], /--host/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseMockProviderArgs(argv), message, argv.join(' '));
  }
});
