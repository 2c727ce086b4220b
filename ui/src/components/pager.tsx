/**
 * Numbered pages over an API's `after` cursor. The page number travels with the rows it was
 * loaded for: while the next page loads, the rows on screen and their number and buttons stay
 * together (a label updated first once showed "Page 1" above page 2's rows).
 */
import { useState, type DependencyList, type ReactNode } from 'react';
import { useAsync, type Async } from './async.js';

export interface CursorPage<T> {
  /** 1 for the first page. */
  number: number;
  value: T;
}

export interface CursorPages<C, T> {
  page: Async<CursorPage<T>>;
  /** Back to the first page (e.g. when a filter above the list changes). */
  reset(): void;
  /** The page before the one on screen. */
  previous(shown: number): void;
  /** The page after the one on screen, which named `cursor` as its next. */
  next(shown: number, cursor: C): void;
}

/** `load(after)` fetches one page; `deps` are what else it reads (a change reloads the page on screen). */
export function useCursorPages<C, T>(load: (after: C | undefined) => Promise<T>, deps: DependencyList): CursorPages<C, T> {
  // Cursors of the pages up to the one asked for: going back drops the last.
  const [cursors, setCursors] = useState<(C | undefined)[]>([undefined]);
  const number = cursors.length;
  const after = cursors.at(-1);
  const page = useAsync(async () => ({ number, value: await load(after) }), [...deps, number, after]);
  return {
    page,
    reset: () => setCursors([undefined]),
    previous: (shown) => setCursors((all) => all.slice(0, Math.max(1, shown - 1))),
    next: (shown, cursor) => setCursors((all) => [...all.slice(0, shown), cursor]),
  };
}

/** Previous / next buttons for the page on screen, with its number when `numbered`. */
export function PagerButtons<C, T>(props: {
  pages: CursorPages<C, T>;
  shown: CursorPage<T>;
  nextCursor: C | null;
  labels: { previous: string; next: string };
  numbered?: boolean;
}): ReactNode {
  const { pages, shown, nextCursor } = props;
  return (
    <div className="inline">
      <button type="button" className="secondary" disabled={shown.number === 1} onClick={() => pages.previous(shown.number)}>
        {props.labels.previous}
      </button>
      {props.numbered ? <span className="muted">Page {shown.number}</span> : null}
      <button
        type="button"
        className="secondary"
        disabled={nextCursor === null}
        onClick={() => nextCursor !== null && pages.next(shown.number, nextCursor)}
      >
        {props.labels.next}
      </button>
    </div>
  );
}
