import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { Store, TraceRow } from '../store/index.js';
import { GatewayMetrics } from './metrics.js';
import { TraceRecorder, type PendingTrace } from './trace-recorder.js';

function pending(id: string, responseBody: unknown): PendingTrace {
  return {
    id,
    project_id: 'proj_a',
    metadata: { fener: { deployment: { name: 'chat', version: 2 } } },
    request_body: { messages: [{ role: 'user', content: 'hi' }] },
    response_body: responseBody,
  } as unknown as PendingTrace;
}

function recorderWith(written: TraceRow[][], options: { redact?: (trace: PendingTrace) => PendingTrace } = {}) {
  const store = { traces: { insertMany: (rows: TraceRow[]) => void written.push(rows) } } as unknown as Store;
  const metrics = new GatewayMetrics({ processMetrics: false });
  const recorder = new TraceRecorder({
    store,
    metrics,
    logger: pino({ level: 'silent' }),
    batchSize: 100,
    flushIntervalMs: 60_000,
    queueLimit: 1_000,
    captureBodies: true,
    ...options,
  });
  return { recorder, metrics };
}

test('a trace is queued as its row: bodies serialised and the policy applied when it is recorded', async () => {
  const written: TraceRow[][] = [];
  const response = { text: 'first' };
  const { recorder } = recorderWith(written, { redact: (trace) => ({ ...trace, request_body: '[redacted]' }) });
  recorder.record(pending('trc_1', response));
  // Changing the object afterwards changes nothing stored: the row was made at record time.
  response.text = 'changed later';
  await recorder.flush();
  const row = written[0]?.[0];
  assert.equal(row?.response_body, '{"text":"first"}');
  assert.equal(row?.request_body, '[redacted]');
  assert.equal(row?.metadata, '{"fener":{"deployment":{"name":"chat","version":2}}}');
  assert.equal(row?.deployment, 'chat');
});

test('a body JSON cannot represent drops that trace only, counted, and the call goes on', async () => {
  const written: TraceRow[][] = [];
  const { recorder, metrics } = recorderWith(written);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.doesNotThrow(() => recorder.record(pending('trc_bad', cyclic)));
  recorder.record(pending('trc_good', { ok: true }));
  await recorder.flush();
  assert.deepEqual(
    written.flat().map((row) => row.id),
    ['trc_good'],
  );
  assert.match(await metrics.text(), /^fener_traces_dropped_total 1$/m);
});
