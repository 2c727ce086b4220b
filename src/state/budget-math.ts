/**
 * Budget arithmetic shared by the memory state and (mirrored) the Redis scripts. Amounts are
 * USD as doubles; the tolerance absorbs float error so that 100 reservations of $0.01 fit a
 * $1.00 budget exactly, and is far below a cent so it can never admit a real overspend.
 */
export const budgetTolerance = 1e-9;

export function fitsBudget(input: { spent: number; reserved: number; amount: number; limit: number }): boolean {
  return input.spent + input.reserved + input.amount <= input.limit + budgetTolerance;
}

/** Budget holds last this long unless settled (longer than an upstream call is allowed to take). */
export const defaultHoldMs = 15 * 60_000;

/** A hold's id carries its amount, so a release needs no second lookup: `<random>:<amount>`. */
export function holdId(random: string, amount: number): string {
  return `${random}:${amount}`;
}

/** Failures of a breaker are forgotten after this quiet spell, so idle targets leave no state behind. */
export function breakerMemoryMs(openMs: number): number {
  return Math.max(2 * openMs, 60_000);
}
