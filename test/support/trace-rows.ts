/** A complete trace row for store tests: every column filled with a plausible value. */
import type { TraceRow } from '../../src/store/index.js';

export function traceRow(overrides: Partial<TraceRow> & { id: string; created_at: number }): TraceRow {
  return {
    trace_id: overrides.id,
    request_id: 'req_x',
    project_id: 'prj_a',
    key_id: 'key_a',
    endpoint: 'chat.completions',
    model: 'small',
    provider: 'upstream',
    upstream_model: 'gpt-4o-mini',
    status: 'ok',
    http_status: 200,
    error_code: null,
    error_message: null,
    end_user: null,
    session_id: null,
    metadata: null,
    request_body: '{"messages":[]}',
    response_body: null,
    stream: 0,
    latency_ms: 12.5,
    ttft_ms: null,
    input_tokens: 10,
    output_tokens: 5,
    cached_input_tokens: 0,
    tokens_estimated: 0,
    cost_usd: 0.000123,
    attempts: 1,
    cache_hit: null,
    cost_saved_usd: 0,
    ...overrides,
  };
}
