/**
 * The gateway's PII guardrail: per-project policies held in memory (loaded at start, reloaded
 * when the `policies` revision moves), applied to chat messages before the provider sees them
 * and to trace bodies when the recorder writes them. A project without a policy costs one Map
 * lookup per call.
 */
import { piiPolicyOff, piiPolicySchema, projectSalt, redactJson, redactPii } from '../pii/index.js';
import type { PiiPolicy, PiiRule } from '../pii/index.js';
import type { ChatMessage, ChatRequest } from '../providers/index.js';
import type { Store } from '../store/index.js';
import type { PendingTrace } from './trace-recorder.js';

/** When a stored policy cannot be read, redact everything rather than nothing. */
const failClosed: PiiPolicy = { requests: { mode: 'mask' }, traces: { mode: 'mask' } };

export class PiiGuard {
  private policies = new Map<string, PiiPolicy>();
  private salts = new Map<string, string>();

  constructor(
    private readonly store: Pick<Store, 'policies'>,
    private readonly secret: string | undefined,
  ) {}

  async refresh(): Promise<void> {
    const next = new Map<string, PiiPolicy>();
    for (const stored of await this.store.policies.list()) {
      if (stored.document.pii === undefined) continue;
      const parsed = piiPolicySchema.safeParse(stored.document.pii);
      const policy = parsed.success ? parsed.data : failClosed;
      if (policy.requests !== 'off' || policy.traces !== 'off') next.set(stored.project_id, policy);
    }
    this.policies = next;
  }

  policyFor(projectId: string): PiiPolicy {
    return this.policies.get(projectId) ?? piiPolicyOff;
  }

  saltFor(projectId: string): string {
    let salt = this.salts.get(projectId);
    if (salt === undefined) {
      salt = projectSalt(this.secret, projectId);
      this.salts.set(projectId, salt);
    }
    return salt;
  }

  /** The request with its message text redacted; the same object when the policy is off. */
  redactRequest(request: ChatRequest, projectId: string): ChatRequest {
    const rule = this.policies.get(projectId)?.requests;
    if (rule === undefined || rule === 'off') return request;
    const salt = this.saltFor(projectId);
    return { ...request, messages: request.messages.map((message) => redactMessage(message, rule, salt)) };
  }

  /**
   * Trace bodies as they will be stored: with the `traces` rule when set; otherwise, when the
   * request rule is on, the request body is redacted with it so that a trace never holds what the
   * provider was not allowed to see.
   */
  redactTrace(trace: PendingTrace): PendingTrace {
    const projectId = trace.project_id;
    const policy = this.policies.get(projectId);
    if (policy === undefined) return trace;
    const salt = this.saltFor(projectId);
    if (policy.traces !== 'off') {
      return {
        ...trace,
        request_body: redactJson(trace.request_body, policy.traces, salt),
        response_body: redactJson(trace.response_body, policy.traces, salt),
      };
    }
    if (policy.requests !== 'off') return { ...trace, request_body: redactJson(trace.request_body, policy.requests, salt) };
    return trace;
  }
}

function redactText(text: string, rule: PiiRule, salt: string): string {
  return redactPii(text, { mode: rule.mode, salt, ...(rule.types ? { types: rule.types } : {}) }).text;
}

function redactMessage(message: ChatMessage, rule: PiiRule, salt: string): ChatMessage {
  const content = message.content;
  if (typeof content === 'string') return { ...message, content: redactText(content, rule, salt) } as ChatMessage;
  if (!Array.isArray(content)) return message;
  const parts = content.map((part) => (part.type === 'text' ? { ...part, text: redactText(part.text, rule, salt) } : part));
  return { ...message, content: parts } as ChatMessage;
}
