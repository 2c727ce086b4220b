/**
 * Prometheus metrics for `/metrics`. Label sets on the hot path are resolved once and kept,
 * because prom-client otherwise rebuilds a label key for every observation.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface CallObservation {
  endpoint: string;
  model: string;
  provider: string;
  status: 'ok' | 'error';
  errorCode?: string;
  latencySeconds: number;
  ttftSeconds?: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'fener_requests_total',
    help: 'Model calls through the gateway.',
    labelNames: ['endpoint', 'model', 'provider', 'status'] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'fener_request_errors_total',
    help: 'Failed model calls, by error code.',
    labelNames: ['endpoint', 'model', 'provider', 'code'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'fener_request_duration_seconds',
    help: 'Total time of a model call, from request to last byte.',
    labelNames: ['endpoint', 'model', 'provider', 'status'] as const,
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  private readonly ttft = new Histogram({
    name: 'fener_time_to_first_token_seconds',
    help: 'Time from request to the first streamed token.',
    labelNames: ['model', 'provider'] as const,
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'fener_tokens_total',
    help: 'Tokens processed, by direction (input, output, cached_input).',
    labelNames: ['model', 'provider', 'direction'] as const,
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'fener_cost_usd_total',
    help: 'Cost of model calls in US dollars, from the price table.',
    labelNames: ['model', 'provider'] as const,
    registers: [this.registry],
  });
  readonly tracesWritten = new Counter({ name: 'fener_traces_written_total', help: 'Trace records stored.', registers: [this.registry] });
  readonly tracesDropped = new Counter({
    name: 'fener_traces_dropped_total',
    help: 'Trace records dropped because the queue was full (never silent).',
    registers: [this.registry],
  });
  readonly traceQueueDepth = new Gauge({
    name: 'fener_trace_queue_depth',
    help: 'Trace records waiting to be written.',
    registers: [this.registry],
  });
  readonly traceWriteFailures = new Counter({
    name: 'fener_trace_write_failures_total',
    help: 'Batches that failed to write (they are retried).',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'fener_' });
  }

  observe(call: CallObservation): void {
    const { endpoint, model, provider, status } = call;
    this.requests.labels(endpoint, model, provider, status).inc();
    this.latency.labels(endpoint, model, provider, status).observe(call.latencySeconds);
    if (call.errorCode !== undefined) this.errors.labels(endpoint, model, provider, call.errorCode).inc();
    if (call.ttftSeconds !== undefined) this.ttft.labels(model, provider).observe(call.ttftSeconds);
    if (call.inputTokens > 0) this.tokens.labels(model, provider, 'input').inc(call.inputTokens);
    if (call.outputTokens > 0) this.tokens.labels(model, provider, 'output').inc(call.outputTokens);
    if (call.cachedInputTokens > 0) this.tokens.labels(model, provider, 'cached_input').inc(call.cachedInputTokens);
    if (call.costUsd > 0) this.cost.labels(model, provider).inc(call.costUsd);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
