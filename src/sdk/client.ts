/**
 * A typed client for Fener's control plane (`/api`) and, for playgrounds, its gateway
 * (`/v1/chat/completions`). It runs in browsers and in Node 20 (it only needs `fetch`).
 *
 * @example
 * import { FenerClient } from 'fener/sdk';
 * const fener = new FenerClient({ baseUrl: 'http://127.0.0.1:4000', apiKey: process.env.FENER_ADMIN_KEY! });
 * const { data } = await fener.traces.list({ status: 'error', limit: 20 });
 */
import { canaryApi, type CanaryApi } from './canary.js';
import { datasetsApi, type DatasetsApi } from './datasets.js';
import { evalsApi, type EvalsApi } from './evals.js';
import { feedbackApi, queuesApi, type FeedbackApi, type QueuesApi } from './feedback.js';
import { Transport, queryString, type TransportOptions } from './http.js';
import type { StatsQuery, StatsSummary, StatsTimeseries, StatsWindow, TopError } from './stats.js';
import type {
  ApiKey,
  AuditEntry,
  AuditQuery,
  AuditVerification,
  CreateKeyInput,
  CreatedKey,
  Deployment,
  DeploymentSpec,
  GatewayModel,
  KeyLimitsPatch,
  LabelMove,
  LabelResult,
  Page,
  Project,
  PromptDetail,
  PromptDiff,
  PromptSummary,
  PromptVersion,
  PushPromptInput,
  PushResult,
  RegisteredModel,
  RegisteredModelDetail,
  RenderedPrompt,
  Session,
  Trace,
  TraceQuery,
} from './types.js';

export type FenerClientOptions = TransportOptions;

/** An OpenAI-format chat request, as sent to `/v1/chat/completions`. */
export interface ChatRequest {
  model: string;
  messages: { role: string; content: unknown }[];
  [field: string]: unknown;
}

/** The parts of an OpenAI chat completion the console reads. */
export interface ChatCompletion {
  id: string;
  model: string;
  choices: { index: number; message: { role: string; content: string | null }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const segment = encodeURIComponent;

export class FenerClient {
  private readonly http: Transport;

  /** Datasets: versions, items, diffs, imports (admin). See datasets.ts. */
  readonly datasets: DatasetsApi;
  /** Experiment runs, results and comparisons (admin). See evals.ts. */
  readonly evals: EvalsApi;
  /** Feedback on traces and score definitions (any key). See feedback.ts. */
  readonly feedback: FeedbackApi;
  /** Annotation queues (any key of the queue's project). See feedback.ts. */
  readonly queues: QueuesApi;
  /** Canary releases of deployments (admin). See canary.ts. */
  readonly canary: CanaryApi;

  constructor(options: FenerClientOptions) {
    this.http = new Transport(options);
    this.datasets = datasetsApi(this.http);
    this.evals = evalsApi(this.http);
    this.feedback = feedbackApi(this.http);
    this.queues = queuesApi(this.http);
    this.canary = canaryApi(this.http);
  }

  /**
   * Who the key is: the admin key, or a project key with its project.
   * @example const { kind, project } = await fener.session();
   */
  session(): Promise<Session> {
    return this.http.request('GET', '/api/session');
  }

  /** Virtual keys (admin). @example const created = await fener.keys.create({ name: 'my-app', budget: { usd: 5, period: 'month' } }); */
  readonly keys = {
    list: (query: { project?: string; include_revoked?: boolean } = {}): Promise<{ data: ApiKey[] }> =>
      this.http.request('GET', `/api/keys${queryString(query)}`),
    /** The secret is in `key` of the answer, and nowhere else ever again. */
    create: (input: CreateKeyInput): Promise<CreatedKey> => this.http.request('POST', '/api/keys', { body: input }),
    update: (id: string, patch: KeyLimitsPatch): Promise<ApiKey> => this.http.request('PATCH', `/api/keys/${segment(id)}`, { body: patch }),
    revoke: (id: string): Promise<ApiKey> => this.http.request('DELETE', `/api/keys/${segment(id)}`),
  };

  /** Projects (admin). @example const { data } = await fener.projects.list(); */
  readonly projects = {
    list: (): Promise<{ data: Project[] }> => this.http.request('GET', '/api/projects'),
    create: (name: string): Promise<Project> => this.http.request('POST', '/api/projects', { body: { name } }),
  };

  /**
   * Traces, newest first; a project key sees its own project only.
   * @example
   * let page = await fener.traces.list({ model: 'small', limit: 50 });
   * if (page.next_cursor) page = await fener.traces.list({ model: 'small', cursor: page.next_cursor });
   */
  readonly traces = {
    list: (query: TraceQuery = {}): Promise<Page<Trace>> => this.http.request('GET', `/api/traces${queryString({ ...query })}`),
    get: (id: string): Promise<Trace> => this.http.request('GET', `/api/traces/${segment(id)}`),
  };

  /** The gateway's model catalogue (admin). @example const { data } = await fener.models.list(); */
  readonly models = {
    list: (): Promise<{ data: GatewayModel[] }> => this.http.request('GET', '/api/models'),
  };

  /**
   * Versioned prompts with labels (admin).
   * @example
   * const { version } = await fener.prompts.push({ name: 'greet', messages: [{ role: 'user', content: 'Hi {{name}}' }],
   *   variables: { name: { type: 'string' } }, labels: ['staging'] });
   * const diff = await fener.prompts.diff('greet', 1, version.version);
   */
  readonly prompts = {
    list: (): Promise<{ data: PromptSummary[] }> => this.http.request('GET', '/api/prompts'),
    get: (name: string): Promise<PromptDetail> => this.http.request('GET', `/api/prompts/${segment(name)}`),
    version: (name: string, version: number): Promise<PromptVersion> =>
      this.http.request('GET', `/api/prompts/${segment(name)}/versions/${version}`),
    push: (input: PushPromptInput): Promise<PushResult> => this.http.request('POST', '/api/prompts', { body: input }),
    diff: (name: string, from: number, to: number): Promise<PromptDiff> =>
      this.http.request('GET', `/api/prompts/${segment(name)}/diff${queryString({ from, to })}`),
    setLabel: (name: string, label: string, version: number): Promise<LabelResult> =>
      this.http.request('PUT', `/api/prompts/${segment(name)}/labels/${segment(label)}`, { body: { version } }),
    rollbackLabel: (name: string, label: string): Promise<LabelResult> =>
      this.http.request('PUT', `/api/prompts/${segment(name)}/labels/${segment(label)}`, { body: { rollback: true } }),
    labelHistory: (name: string, label: string): Promise<{ data: LabelMove[] }> =>
      this.http.request('GET', `/api/prompts/${segment(name)}/labels/${segment(label)}/history`),
    render: (name: string, input: { version?: number; label?: string; variables?: Record<string, unknown> }): Promise<RenderedPrompt> =>
      this.http.request('POST', `/api/prompts/${segment(name)}/render`, { body: input }),
  };

  /** The model registry: versions and aliases (admin). @example const model = await fener.registry.get('support-llm'); */
  readonly registry = {
    list: (): Promise<{ data: RegisteredModel[] }> => this.http.request('GET', '/api/registry/models'),
    get: (name: string): Promise<RegisteredModelDetail> => this.http.request('GET', `/api/registry/models/${segment(name)}`),
    setAlias: (name: string, alias: string, version: number): Promise<{ alias: string; version: number; previous: number | null }> =>
      this.http.request('PUT', `/api/registry/models/${segment(name)}/aliases/${segment(alias)}`, { body: { version } }),
  };

  /** Deployments: versions, approval, rollback (admin). @example await fener.deployments.rollback('support'); */
  readonly deployments = {
    list: (): Promise<{ data: Deployment[] }> => this.http.request('GET', '/api/deployments'),
    get: (name: string): Promise<Deployment> => this.http.request('GET', `/api/deployments/${segment(name)}`),
    create: (input: DeploymentSpec & { name: string; project?: string }): Promise<Deployment> =>
      this.http.request('POST', '/api/deployments', { body: input }),
    change: (name: string, spec: DeploymentSpec): Promise<Deployment> =>
      this.http.request('POST', `/api/deployments/${segment(name)}/versions`, { body: spec }),
    /** A new version equal to the previous one (or to `version`). */
    rollback: (name: string, version?: number): Promise<Deployment> =>
      this.http.request('POST', `/api/deployments/${segment(name)}/rollback`, { body: version === undefined ? {} : { version } }),
    approve: (name: string, version: number): Promise<Deployment> =>
      this.http.request('POST', `/api/deployments/${segment(name)}/versions/${version}/approve`),
  };

  /** The hash-chained audit log (admin). @example const { ok } = await fener.audit.verify(); */
  readonly audit = {
    list: (query: AuditQuery = {}): Promise<Page<AuditEntry>> => this.http.request('GET', `/api/audit${queryString({ ...query })}`),
    verify: (): Promise<AuditVerification> => this.http.request('GET', '/api/audit/verify'),
  };

  /**
   * Dashboard aggregates over traces; a project key sees its own project only.
   * @example
   * const now = Date.now();
   * const { buckets } = await fener.stats.timeseries({ from: now - 86_400_000, to: now, bucket: 'hour', group_by: 'model' });
   */
  readonly stats = {
    timeseries: (query: StatsQuery): Promise<StatsTimeseries> =>
      this.http.request('GET', `/api/stats/timeseries${queryString({ ...query })}`),
    summary: (query: StatsWindow = {}): Promise<StatsSummary> => this.http.request('GET', `/api/stats/summary${queryString({ ...query })}`),
    topErrors: (query: StatsWindow & { limit?: number } = {}): Promise<{ data: TopError[] }> =>
      this.http.request('GET', `/api/stats/top-errors${queryString({ ...query })}`),
  };

  /**
   * One chat completion through the gateway (not streamed); `metadata` is stored with its trace.
   * @example const reply = await fener.chat({ model: 'small', messages: [{ role: 'user', content: 'Hello' }] });
   */
  chat(request: ChatRequest, options: { metadata?: Record<string, string> } = {}): Promise<ChatCompletion> {
    const headers = options.metadata === undefined ? undefined : { 'x-fener-metadata': JSON.stringify(options.metadata) };
    return this.http.request('POST', '/v1/chat/completions', { body: { ...request, stream: false }, ...(headers ? { headers } : {}) });
  }
}
