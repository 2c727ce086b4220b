/** Loading, empty and error states, the same on every page. */
import { useEffect, useState, type DependencyList, type ReactNode } from 'react';
import { FenerApiError } from '../../../src/sdk/browser.js';

export type Async<T> = { state: 'loading' } | { state: 'error'; error: FenerApiError } | { state: 'ready'; value: T };

export function asApiError(error: unknown): FenerApiError {
  if (error instanceof FenerApiError) return error;
  return new FenerApiError({ status: 0, code: 'client_error', message: error instanceof Error ? error.message : String(error) });
}

/**
 * Runs `load` when `deps` change; an answer that arrives after a newer request started is dropped.
 * A reload keeps showing the previous value until the new one arrives, so forms below it keep
 * their state (and the page does not flash) after a change.
 */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): Async<T> {
  const [result, setResult] = useState<Async<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setResult((previous) => (previous.state === 'ready' ? previous : { state: 'loading' }));
    load().then(
      (value) => current && setResult({ state: 'ready', value }),
      (error: unknown) => current && setResult({ state: 'error', error: asApiError(error) }),
    );
    return () => {
      current = false;
    };
  }, deps);
  return result;
}

export function Loading(props: { what: string }): ReactNode {
  return (
    <p className="state loading" role="status" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}

export function Empty(props: { children: ReactNode }): ReactNode {
  return <div className="state empty">{props.children}</div>;
}

export function ErrorNotice(props: { error: FenerApiError }): ReactNode {
  const { error } = props;
  const hint =
    error.code === 'forbidden'
      ? 'This needs the admin key: sign in with it to see this page.'
      : error.code === 'unauthorized'
        ? 'The key is no longer accepted (revoked?). Sign out and sign in again.'
        : undefined;
  return (
    <div className="state error" role="alert">
      <strong>{error.code}</strong>: {error.message}
      {hint ? <p>{hint}</p> : null}
      {error.requestId ? <p className="muted">request id {error.requestId}</p> : null}
    </div>
  );
}

/** Renders the three states of `data`; `children` gets the value. */
export function AsyncView<T>(props: { data: Async<T>; what: string; children(value: T): ReactNode }): ReactNode {
  const { data } = props;
  if (data.state === 'loading') return <Loading what={props.what} />;
  if (data.state === 'error') return <ErrorNotice error={data.error} />;
  return props.children(data.value);
}

/** Runs an action from a button or form: pending flag, and its error to show. */
export function useAction(): {
  pending: boolean;
  error: FenerApiError | undefined;
  run<T>(action: () => Promise<T>): Promise<T | undefined>;
} {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<FenerApiError | undefined>();
  return {
    pending,
    error,
    async run(action) {
      setPending(true);
      setError(undefined);
      try {
        return await action();
      } catch (caught) {
        setError(asApiError(caught));
        return undefined;
      } finally {
        setPending(false);
      }
    },
  };
}
