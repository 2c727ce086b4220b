/**
 * Turns a model name into a route: the targets to try and the policy for trying them. A plain
 * model is a route of one target; a group expands into its targets (nested groups flattened,
 * their weights multiplied). Loops were refused when the configuration was loaded.
 */
import { groupSchema, type GroupConfig, type ModelTask } from '../../core/index.js';
import type { ModelCatalog } from '../model-catalog.js';
import type { Trigger } from './failure.js';
import type { Strategy, Target } from './strategies.js';

export interface RoutePolicy {
  strategy: Strategy;
  retries: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  fallbackOn: ReadonlySet<Trigger>;
  breaker: { threshold: number; openMs: number };
}

export interface Route {
  name: string;
  targets: Target[];
  policy: RoutePolicy;
}

/** A plain model: no retries (the client decides), but its circuit still protects the upstream. */
const singleModelPolicy: RoutePolicy = {
  strategy: 'fallback',
  retries: { attempts: 0, baseDelayMs: 100, maxDelayMs: 4000 },
  fallbackOn: new Set(),
  breaker: { threshold: 5, openMs: 30_000 },
};

function policyOf(group: GroupConfig): RoutePolicy {
  return {
    strategy: group.strategy,
    retries: { attempts: group.retries.attempts, baseDelayMs: group.retries.base_delay_ms, maxDelayMs: group.retries.max_delay_ms },
    fallbackOn: new Set(group.fallback_on),
    breaker: { threshold: group.circuit_breaker.failure_threshold, openMs: group.circuit_breaker.open_ms },
  };
}

export class RouteTable {
  private readonly groups: Map<string, GroupConfig>;

  constructor(
    groups: GroupConfig[],
    private readonly catalog: ModelCatalog,
  ) {
    this.groups = new Map(groups.map((group) => [group.name, group]));
  }

  isGroup(name: string): boolean {
    return this.groups.has(name);
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  resolve(name: string, task: ModelTask): Route {
    const group = this.groups.get(name);
    if (!group) return { name, targets: [{ model: this.catalog.resolve(name, task), weight: 1 }], policy: singleModelPolicy };
    return { name, targets: this.expand(group, task, 1), policy: policyOf(group) };
  }

  /**
   * A route that tries `models` in order (each may be a group, flattened as nested groups are),
   * with the policy a group declared with only its targets gets: a deployment's model and its
   * fallbacks go through the same router, retries and circuits as every configured group.
   */
  resolveChain(name: string, models: string[], task: ModelTask): Route {
    const group: GroupConfig = groupSchema.parse({ name: 'chain', targets: models });
    return { name, targets: this.expand(group, task, 1), policy: policyOf(group) };
  }

  private expand(group: GroupConfig, task: ModelTask, weightScale: number): Target[] {
    const targets: Target[] = [];
    for (const declared of group.targets) {
      const spec = typeof declared === 'string' ? { model: declared, weight: 1 } : declared;
      const nested = this.groups.get(spec.model);
      if (nested) {
        targets.push(...this.expand(nested, task, weightScale * spec.weight));
        continue;
      }
      const target: Target = { model: this.catalog.resolve(spec.model, task), weight: weightScale * spec.weight };
      const timeoutMs = ('timeout_ms' in spec ? spec.timeout_ms : undefined) ?? group.timeout_ms;
      const ttftTimeoutMs = ('ttft_timeout_ms' in spec ? spec.ttft_timeout_ms : undefined) ?? group.ttft_timeout_ms;
      if (timeoutMs !== undefined) target.timeoutMs = timeoutMs;
      if (ttftTimeoutMs !== undefined) target.ttftTimeoutMs = ttftTimeoutMs;
      targets.push(target);
    }
    return targets;
  }
}
