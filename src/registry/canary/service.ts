/**
 * The canary operations the API and CLI share. Everything is checked before anything is written
 * (shares add up to 100, names are unique, models exist and pass the project's policy, score
 * sources are configured), so a refused request changes nothing. Under a policy that requires
 * approval, starting a canary and promoting one by hand both need a second person.
 */
import { FenerError } from '../../core/index.js';
import type { Canary, CanaryVariantInput, Store } from '../../store/index.js';
import { RegistryRouting } from '../resolvers.js';
import type { RegistryService } from '../service.js';
import type { CanaryEvaluator } from './evaluator.js';
import type { Evaluation } from './evaluate.js';
import { analysisSchema, type CanaryStart } from './settings.js';

export interface ScoreObservation {
  variant: string;
  score: number;
}

export class CanaryService {
  constructor(
    private readonly store: Store,
    private readonly registry: RegistryService,
  ) {}

  async start(name: string, input: CanaryStart, actor: string): Promise<Canary> {
    const total = input.variants.reduce((sum, variant) => sum + variant.percent, 0);
    if (Math.abs(total - 100) > 1e-9) {
      throw new FenerError('invalid_request', `variants: the percentages add up to ${total}, not 100`, { param: 'variants' });
    }
    const names = input.variants.map((variant) => variant.name);
    const duplicate = names.find((variantName, index) => names.indexOf(variantName) !== index);
    if (duplicate !== undefined) throw new FenerError('invalid_request', `variants: "${duplicate}" appears twice`, { param: 'variants' });
    const baseline = input.baseline ?? input.variants.find((variant) => variant.version === undefined && variant.spec === undefined)?.name;
    if (baseline === undefined || !names.includes(baseline)) {
      throw new FenerError('invalid_request', 'baseline: name one of the variants (or leave one variant without version and spec)', {
        param: 'baseline',
      });
    }
    const variants: CanaryVariantInput[] = [];
    let requiresApproval = (await this.registry.policyOfDeployment(name)).require_approval;
    for (const [index, variant] of input.variants.entries()) {
      const checked: CanaryVariantInput = { name: variant.name, percent: variant.percent };
      if (variant.version !== undefined) checked.version = variant.version;
      if (variant.spec) {
        const { spec, policy } = await this.checkVariant(name, variant.spec, index);
        checked.spec = spec;
        requiresApproval ||= policy.require_approval;
      }
      variants.push(checked);
    }
    const canary = await this.store.canaries.start({
      deployment: name,
      variants,
      baseline,
      settings: input.analysis,
      actor,
      requiresApproval,
    });
    await RegistryRouting.reloadFor(this.store);
    return canary;
  }

  private async checkVariant(name: string, spec: NonNullable<CanaryStart['variants'][number]['spec']>, index: number) {
    try {
      return await this.registry.checkSpecFor(name, spec);
    } catch (error) {
      if (error instanceof FenerError && error.code === 'invalid_request') {
        const param = `variants.${index}.spec.${error.param ?? ''}`.replace(/\.$/, '');
        throw new FenerError('invalid_request', `variants.${index}.spec: ${error.message}`, { param });
      }
      throw error;
    }
  }

  async approve(name: string, actor: string): Promise<Canary> {
    const canary = await this.store.canaries.approve({ deployment: name, actor });
    await RegistryRouting.reloadFor(this.store);
    return canary;
  }

  async status(name: string): Promise<{ canary: Canary; counts: Record<string, Record<string, number>> }> {
    const canary = await this.current(name);
    return { canary, counts: await this.store.canaries.counts(canary.id) };
  }

  /**
   * Promotes a variant by hand. When the policy requires approval, the first call records the
   * request and a different principal's call completes it; the requester cannot complete it.
   */
  async promote(name: string, input: { variant?: string; actor: string }): Promise<{ canary: Canary; awaiting_approval: boolean }> {
    const canary = await this.running(name);
    const variant = input.variant ?? soleChallenger(canary);
    if (!canary.variants.some((candidate) => candidate.name === variant)) {
      throw new FenerError('invalid_request', `variant: the canary has no variant "${variant}"`, { param: 'variant' });
    }
    const policy = await this.registry.policyOfDeployment(name);
    const request = canary.promotion_request;
    if (policy.require_approval) {
      if (!request || request.variant !== variant) {
        return {
          canary: await this.store.canaries.requestPromotion({ id: canary.id, deployment: name, variant, actor: input.actor }),
          awaiting_approval: true,
        };
      }
      if (request.requested_by === input.actor) {
        throw new FenerError('forbidden', 'a change must be approved by a different person than its author');
      }
    }
    const decided = await this.store.canaries.decide({
      id: canary.id,
      action: 'promote',
      variant,
      evidence: {
        manual: true,
        requested_by: request?.requested_by ?? input.actor,
        last_evaluation: canary.last_evaluation as Evaluation | null,
      },
      actor: input.actor,
      reason: `promoted by hand`,
      ...(request ? { approvedBy: input.actor } : {}),
    });
    if (!decided) throw new FenerError('conflict', `the canary of "${name}" ended while promoting`);
    await RegistryRouting.reloadFor(this.store);
    return { canary: decided, awaiting_approval: false };
  }

  async abort(name: string, actor: string): Promise<Canary> {
    const canary = await this.current(name);
    const decided = await this.store.canaries.decide({
      id: canary.id,
      action: 'abort',
      evidence: { last_evaluation: canary.last_evaluation },
      actor,
      reason: 'aborted by hand',
    });
    if (!decided) throw new FenerError('conflict', `the canary of "${name}" is ${canary.status}, not running`);
    await RegistryRouting.reloadFor(this.store);
    return decided;
  }

  /** Feeds scores (feedback, evaluator results) for a configured score source; 0 < score ≤ 1 is typical, any number works. */
  async addScores(name: string, input: { source: string; observations: ScoreObservation[] }): Promise<{ accepted: number }> {
    const canary = await this.running(name);
    const analysis = analysisSchema.parse(canary.settings);
    const source = analysis.scores[input.source];
    if (!source) {
      const known = Object.keys(analysis.scores);
      throw new FenerError(
        'invalid_request',
        `source: this canary has no score source "${input.source}" (configured: ${known.join(', ') || 'none'})`,
        { param: 'source' },
      );
    }
    const sums = new Map<string, { n: number; bad: number }>();
    for (const [index, observation] of input.observations.entries()) {
      if (!canary.variants.some((variant) => variant.name === observation.variant)) {
        throw new FenerError('invalid_request', `observations.${index}.variant: no variant "${observation.variant}"`, {
          param: `observations.${index}.variant`,
        });
      }
      const sum = sums.get(observation.variant) ?? { n: 0, bad: 0 };
      sum.n++;
      if (observation.score < source.bad_below) sum.bad++;
      sums.set(observation.variant, sum);
    }
    await this.store.canaries.addCounts(
      [...sums.entries()].flatMap(([variant, sum]) => [
        { canaryId: canary.id, variant, metric: `score:${input.source}:n`, count: sum.n },
        { canaryId: canary.id, variant, metric: `score:${input.source}:bad`, count: sum.bad },
      ]),
    );
    return { accepted: input.observations.length };
  }

  /** Runs the evaluator on this deployment's canary now (the API's "evaluate" button). */
  async evaluateNow(name: string, evaluator: CanaryEvaluator): Promise<Evaluation> {
    return evaluator.evaluate(await this.running(name));
  }

  private async current(name: string): Promise<Canary> {
    const canary = await this.store.canaries.current(name);
    if (!canary) throw new FenerError('not_found', `deployment "${name}" has no canary`, { param: 'name' });
    return canary;
  }

  private async running(name: string): Promise<Canary> {
    const canary = await this.current(name);
    if (canary.status !== 'running') throw new FenerError('conflict', `the canary of "${name}" is ${canary.status}, not running`);
    return canary;
  }
}

function soleChallenger(canary: Canary): string {
  const challengers = canary.variants.filter((variant) => variant.name !== canary.baseline);
  if (challengers.length !== 1 || !challengers[0]) {
    throw new FenerError('invalid_request', 'variant: this canary has several challengers; name the one to promote', { param: 'variant' });
  }
  return challengers[0].name;
}
