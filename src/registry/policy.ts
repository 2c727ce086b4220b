/**
 * Per-project governance policy: which providers, models and licences deployments and aliases
 * may use, and whether a deployment change needs a second person's approval. Stored as JSON per
 * project; an absent list allows everything. `pii` is the gateway's PII guardrail (see src/pii).
 */
import { z } from 'zod';
import { FenerError } from '../core/index.js';
import { piiPolicySchema } from '../gateway/index.js';
import type { Store } from '../store/index.js';

export const policySchema = z
  .object({
    allowed_providers: z.array(z.string().min(1)).optional().describe('Provider ids; absent allows all'),
    allowed_models: z
      .array(z.string().min(1))
      .optional()
      .describe('Model or group names, or `registry:NAME` for every version of a registered model; absent allows all'),
    allowed_licences: z.array(z.string().min(1)).optional().describe('Licences; a model without a licence is refused when set'),
    require_approval: z.boolean().default(false).describe('Deployment changes wait for approval by a different principal'),
    pii: piiPolicySchema.optional().describe('PII redaction of requests before providers and of traces before storage'),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;

/** One concrete model a deployment or alias would use, as far as policy is concerned. */
export interface PolicySubject {
  /** The names it is known by, e.g. `registry:support@champion` and `registry:support`. */
  names: string[];
  provider: string;
  licence: string | undefined;
}

const openPolicy: Policy = { require_approval: false };

export async function loadPolicy(store: Store, projectId: string): Promise<Policy> {
  const stored = await store.policies.get(projectId);
  if (!stored) return openPolicy;
  // A stored policy was validated when it was written; parsing again fails closed on a bad row.
  return policySchema.parse(stored.document);
}

/** Throws 403 naming the rule that a subject breaks. */
export function enforcePolicy(policy: Policy, project: string, subjects: PolicySubject[]): void {
  for (const subject of subjects) {
    const name = subject.names[0] ?? '';
    if (policy.allowed_providers && !policy.allowed_providers.includes(subject.provider)) {
      refuse(`policy of project "${project}": allowed_providers does not include "${subject.provider}" (model "${name}")`);
    }
    if (policy.allowed_models && !subject.names.some((candidate) => policy.allowed_models?.includes(candidate))) {
      refuse(`policy of project "${project}": allowed_models does not include "${name}"`);
    }
    if (policy.allowed_licences) {
      if (subject.licence === undefined)
        refuse(`policy of project "${project}": allowed_licences is set and model "${name}" has no licence`);
      else if (!policy.allowed_licences.includes(subject.licence)) {
        refuse(`policy of project "${project}": allowed_licences does not include "${subject.licence}" (model "${name}")`);
      }
    }
  }
}

function refuse(message: string): never {
  throw new FenerError('forbidden', message);
}
