/**
 * What a call must be allowed before it runs and must settle after: the rate-limit windows of
 * its key, project and model, and the budgets of its key and project. Calls with no limits and
 * no budgets skip all of it — and never count tokens for it — so the common path stays cheap.
 */
import { isFenerError } from '../core/index.js';
import type { Principal } from '../identity/index.js';
import type { Usage } from '../providers/index.js';
import { estimateCost, type AdmissionTicket, type BudgetReservation, type Limits, type RateLimits } from './limits/index.js';
import type { Route } from './routing/route-table.js';

export interface GuardInput {
  limits: Limits;
  principal: Principal;
  route: Route;
  inputTokens: () => number;
  maxOutputTokens?: number;
  /** Settling happens after the client has its answer: its failures are reported here. */
  onError: (error: unknown) => void;
}

const hasRates = (limits: RateLimits | undefined): boolean => limits?.rpm !== undefined || limits?.tpm !== undefined;

export class CallGuard {
  private closed = false;

  private readonly limits: Limits | undefined;
  private readonly ticket: AdmissionTicket | undefined;
  private readonly reservation: BudgetReservation | undefined;
  private readonly onError: (error: unknown) => void;

  private constructor(parts: {
    limits?: Limits;
    ticket?: AdmissionTicket;
    reservation?: BudgetReservation;
    onError?: (error: unknown) => void;
  }) {
    this.limits = parts.limits;
    this.ticket = parts.ticket;
    this.reservation = parts.reservation;
    this.onError = parts.onError ?? (() => undefined);
  }

  /** A guard that checks nothing: for calls without limits. */
  static readonly open = new CallGuard({});

  /** Admits the call or throws `rate_limited` / `budget_exceeded` (429). */
  static async admit(input: GuardInput): Promise<CallGuard> {
    const { principal, route, limits } = input;
    const project = principal.project;
    // Per-model limits apply to a route of one model; a group's targets share the group's traffic.
    const modelLimits = route.targets.length === 1 ? route.targets[0]?.model.limits : undefined;
    const rated = hasRates(principal.limits) || hasRates(project?.limits) || hasRates(modelLimits);
    const budgeted = principal.budget !== undefined || project?.budget !== undefined;
    if (!rated && !budgeted) return CallGuard.open;
    const owner = { id: principal.id, projectId: principal.projectId };
    const ticket = rated
      ? await limits.admit({
          principal: owner,
          ...(principal.limits ? { keyLimits: principal.limits } : {}),
          ...(project?.limits ? { projectLimits: project.limits } : {}),
          model: { name: route.name, ...(modelLimits ? { limits: modelLimits } : {}) },
          estimatedInputTokens: (principal.limits?.tpm ?? project?.limits?.tpm ?? modelLimits?.tpm) ? input.inputTokens() : 0,
        })
      : undefined;
    if (!budgeted) return new CallGuard({ limits, ...(ticket ? { ticket } : {}), onError: input.onError });
    const reservation = await reserve(input, owner);
    return new CallGuard({ limits, ...(ticket ? { ticket } : {}), reservation, onError: input.onError });
  }

  /** `x-ratelimit-*` headers for the response. */
  get headers(): Record<string, string> {
    return this.ticket?.headers ?? {};
  }

  get budgeted(): boolean {
    return this.reservation !== undefined;
  }

  /** During a stream: false when its running cost would cross a budget. */
  async allowsRunningCost(runningCostUsd: number): Promise<boolean> {
    if (!this.limits || !this.reservation) return true;
    return this.limits.checkRunning(this.reservation, runningCostUsd);
  }

  /** Settles the budget with the actual cost and corrects the token windows; once per call; never throws. */
  async settle(usage: Usage | undefined, costUsd: number): Promise<void> {
    if (this.closed || !this.limits) return;
    this.closed = true;
    const work: Promise<void>[] = [];
    if (this.reservation) work.push(this.limits.settle(this.reservation, costUsd));
    if (this.ticket) work.push(this.limits.recordTokens(this.ticket, usage ? usage.input_tokens + usage.output_tokens : 0));
    await Promise.all(work).catch(this.onError);
  }
}

/**
 * Reserves the call's worst case (the dearest target, all of `max_tokens`). When that does not
 * fit but the budget still covers the prompt, the call goes ahead on a reservation of what it
 * surely costs: a stream is then stopped when its running cost reaches the budget, and a
 * non-streamed call can overshoot by at most its own cost — never more than one request's.
 */
async function reserve(input: GuardInput, owner: { id: string; projectId: string | null }): Promise<BudgetReservation> {
  const { principal, route, limits } = input;
  const project = principal.project;
  const costs = (maxOutputTokens: number | undefined): number =>
    Math.max(
      ...route.targets.map((target) =>
        estimateCost({
          inputTokens: input.inputTokens(),
          price: target.model.price,
          ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
          ...(target.model.maxOutputTokens === undefined ? {} : { modelMaxOutputTokens: target.model.maxOutputTokens }),
        }),
      ),
    );
  const budgets = {
    principal: owner,
    ...(principal.budget ? { keyBudget: principal.budget } : {}),
    ...(project?.budget ? { projectBudget: project.budget } : {}),
  };
  try {
    return await limits.reserveBudget({ ...budgets, estimatedCostUsd: costs(input.maxOutputTokens) });
  } catch (error) {
    if (!isFenerError(error) || error.code !== 'budget_exceeded') throw error;
    return limits.reserveBudget({ ...budgets, estimatedCostUsd: costs(1) }).catch(() => Promise.reject(error));
  }
}
