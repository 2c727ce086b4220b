/**
 * Durations as OpenAI writes them in `x-ratelimit-reset-*` (Go's duration format):
 * `120ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`. Clients parse these, so the shape matters.
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  // Whole milliseconds, so at most three decimals, and none when they are zero ("6m0s", "1.5s").
  const seconds = `${(total % 60_000) / 1000}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}
