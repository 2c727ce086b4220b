/**
 * Progress of a run on stderr: a bar redrawn in place on a terminal, a plain line every few
 * seconds otherwise (CI logs), nothing when silenced. No dependency: it is a dozen lines.
 */

export interface ProgressState {
  done: number;
  total: number | null;
  errors: number;
  /** Items that a resumed run found already finished. */
  skipped: number;
  startedAt: number;
}

export interface ProgressSink {
  update(state: ProgressState): void;
  finish(state: ProgressState): void;
}

export const silentProgress: ProgressSink = { update: () => undefined, finish: () => undefined };

function line(state: ProgressState, width: number | undefined): string {
  const seconds = Math.max((Date.now() - state.startedAt) / 1000, 0.001);
  const fresh = state.done - state.skipped;
  const rate = fresh / seconds;
  const total = state.total ?? 0;
  const remaining = state.total === null || rate === 0 ? '' : ` eta ${Math.ceil((total - state.done) / rate)}s`;
  const counts = `${state.done}/${state.total ?? '?'} ${rate.toFixed(1)}/s errors ${state.errors}${state.skipped > 0 ? ` resumed ${state.skipped}` : ''}${remaining}`;
  if (width === undefined || state.total === null || total === 0) return counts;
  const barWidth = Math.max(10, Math.min(40, width - counts.length - 4));
  const filled = Math.round((state.done / total) * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${counts}`;
}

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const tty = stream.isTTY;
  let lastDraw = 0;
  return {
    update(state) {
      const now = Date.now();
      if (now - lastDraw < (tty ? 100 : 5000)) return;
      lastDraw = now;
      stream.write(tty ? `\r${line(state, stream.columns)}\u001b[K` : `${line(state, undefined)}\n`);
    },
    finish(state) {
      stream.write(tty ? `\r${line(state, stream.columns)}\u001b[K\n` : `${line(state, undefined)}\n`);
    },
  };
}
