import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredPolicy } from '../store/index.js';
import { PiiGuard } from './pii-guard.js';
import type { PendingTrace } from './trace-recorder.js';

function guardWith(documents: Record<string, Record<string, unknown>>): PiiGuard {
  const stored: StoredPolicy[] = Object.entries(documents).map(([projectId, document]) => ({
    project_id: projectId,
    document,
    updated_at: 0,
    updated_by: 'test',
  }));
  return new PiiGuard({ policies: { list: () => Promise.resolve(stored) } } as never, 'secret');
}

const request = {
  model: 'small',
  messages: [
    { role: 'system' as const, content: 'Be brief.' },
    {
      role: 'user' as const,
      content: [
        { type: 'text' as const, text: 'mail a@example.com' },
        { type: 'image_url' as const, image_url: { url: 'https://x/a@example.com.png' } },
      ],
    },
  ],
};

function trace(projectId: string): PendingTrace {
  return {
    project_id: projectId,
    request_body: { messages: [{ role: 'user', content: 'a@example.com' }] },
    response_body: { text: 'b@example.com' },
  } as unknown as PendingTrace;
}

test('no policy: the request object itself passes through', async () => {
  const guard = guardWith({ proj_other: { pii: { requests: { mode: 'mask' } } } });
  await guard.refresh();
  assert.equal(guard.redactRequest(request, 'proj_a'), request);
  const unchanged = trace('proj_a');
  assert.equal(guard.redactTrace(unchanged), unchanged);
});

test('requests rule: text contents and text parts are redacted, image parts and roles are not', async () => {
  const guard = guardWith({ proj_a: { pii: { requests: { mode: 'mask', types: ['email'] } } } });
  await guard.refresh();
  const redacted = guard.redactRequest(request, 'proj_a');
  assert.deepEqual(redacted.messages[1], {
    role: 'user',
    content: [
      { type: 'text', text: 'mail [EMAIL]' },
      { type: 'image_url', image_url: { url: 'https://x/a@example.com.png' } },
    ],
  });
  assert.match(JSON.stringify(request.messages[1]), /mail a@example\.com/, 'the input is not mutated');
  // Only the request rule: the stored request is redacted with it, the response is left alone.
  const stored = guard.redactTrace(trace('proj_a'));
  assert.deepEqual(stored.request_body, { messages: [{ role: 'user', content: '[EMAIL]' }] });
  assert.deepEqual(stored.response_body, { text: 'b@example.com' });
});

test('a stored policy that no longer parses fails closed: everything is masked', async () => {
  const guard = guardWith({ proj_a: { pii: { requests: { mode: 'scramble' } } } });
  await guard.refresh();
  const stored = guard.redactTrace(trace('proj_a'));
  assert.deepEqual(stored.response_body, { text: '[EMAIL]' });
});
