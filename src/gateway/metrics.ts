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

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;

interface CallSeries {
  requests: CounterChild;
  latency: HistogramChild;
  ttft: HistogramChild;
  inputTokens: CounterChild;
  outputTokens: CounterChild;
  cachedInputTokens: CounterChild;
  cost: CounterChild;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  /** Label values are bounded: configured models and providers, the endpoints, two statuses. */
  private readonly series = new Map<string, CallSeries>();
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
    const series = this.seriesOf(call);
    series.requests.inc();
    series.latency.observe(call.latencySeconds);
    if (call.errorCode !== undefined) this.errors.labels(call.endpoint, call.model, call.provider, call.errorCode).inc();
    if (call.ttftSeconds !== undefined) series.ttft.observe(call.ttftSeconds);
    if (call.inputTokens > 0) series.inputTokens.inc(call.inputTokens);
    if (call.outputTokens > 0) series.outputTokens.inc(call.outputTokens);
    if (call.cachedInputTokens > 0) series.cachedInputTokens.inc(call.cachedInputTokens);
    if (call.costUsd > 0) series.cost.inc(call.costUsd);
  }

  /** The labelled children of one endpoint × model × provider × status, made on first use. */
  private seriesOf(call: CallObservation): CallSeries {
    const { endpoint, model, provider, status } = call;
    const key = `${endpoint}\u0000${model}\u0000${provider}\u0000${status}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        requests: this.requests.labels(endpoint, model, provider, status),
        latency: this.latency.labels(endpoint, model, provider, status),
        ttft: this.ttft.labels(model, provider),
        inputTokens: this.tokens.labels(model, provider, 'input'),
        outputTokens: this.tokens.labels(model, provider, 'output'),
        cachedInputTokens: this.tokens.labels(model, provider, 'cached_input'),
        cost: this.cost.labels(model, provider),
      };
      this.series.set(key, series);
    }
    return series;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
