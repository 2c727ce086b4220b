/** Progress on stderr, with the seconds since start, so that stdout holds only the report. */
const startedAt = performance.now();

export function log(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
}
