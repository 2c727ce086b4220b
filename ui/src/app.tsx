/** The shell: sign-in until a key is accepted, then the navigation and the current page. */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { FenerApiError, Session } from '../../src/sdk/browser.js';
import { asApiError, ErrorNotice, Loading } from './components/async.js';
import { Link, matchRoute, navigate, pageRoutes, usePathname } from './router.js';
import { clientFor, SessionProvider, storedKey, storeKey, useSession, type SignedIn } from './session.js';

export function App(): ReactNode {
  const [signedIn, setSignedIn] = useState<SignedIn | undefined>();
  const [checking, setChecking] = useState(storedKey() !== null);
  const [error, setError] = useState<FenerApiError | undefined>();

  const signIn = async (apiKey: string): Promise<void> => {
    setError(undefined);
    const client = clientFor(apiKey);
    try {
      const session: Session = await client.session();
      storeKey(apiKey);
      setSignedIn({
        client,
        session,
        signOut() {
          storeKey(null);
          setSignedIn(undefined);
          navigate('/');
        },
      });
    } catch (caught) {
      storeKey(null);
      setError(asApiError(caught));
    }
  };

  useEffect(() => {
    const key = storedKey();
    if (key !== null) void signIn(key).finally(() => setChecking(false));
  }, []);

  if (checking) return <Loading what="your session" />;
  if (!signedIn) return <SignIn onSignIn={signIn} error={error} />;
  return (
    <SessionProvider value={signedIn}>
      <Shell />
    </SessionProvider>
  );
}

function SignIn(props: { onSignIn(key: string): Promise<void>; error: FenerApiError | undefined }): ReactNode {
  const [key, setKey] = useState('');
  const [pending, setPending] = useState(false);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setPending(true);
    void props.onSignIn(key.trim()).finally(() => setPending(false));
  };
  return (
    <main className="sign-in">
      <h1>Fener</h1>
      <form onSubmit={submit} className="card">
        <h2>Sign in</h2>
        <p className="muted">
          With the admin key Fener printed on first start (or <code>FENER_ADMIN_KEY</code>), or with a project key to see that project only.
          The key stays in this tab (sessionStorage) until you sign out.
        </p>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" value={key} onChange={(event) => setKey(event.target.value)} required />
        <button type="submit" disabled={pending || key.trim() === ''}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
        {props.error ? <ErrorNotice error={props.error} /> : null}
      </form>
    </main>
  );
}

function Shell(): ReactNode {
  const { session, signOut } = useSession();
  const pathname = usePathname();
  const match = matchRoute(pathname);
  const admin = session.kind === 'admin';
  useEffect(() => {
    document.title = `${match?.route.title ?? 'Not found'} · Fener`;
  }, [match]);
  return (
    <div className="layout">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <nav aria-label="Console">
        <p className="brand">Fener</p>
        <ul>
          {pageRoutes
            .filter((route) => route.nav && (admin || !route.admin))
            .map((route) => {
              const current = route.path === '/' ? pathname === '/' : pathname.startsWith(route.path);
              return (
                <li key={route.path}>
                  <Link to={route.path} aria-current={current ? 'page' : undefined}>
                    {route.title}
                  </Link>
                </li>
              );
            })}
        </ul>
        <div className="who">
          <p>
            {admin ? 'Admin key' : `Project key “${session.name}”`}
            {session.project ? <span className="muted"> · project {session.project.name}</span> : null}
          </p>
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        {match ? (
          !admin && match.route.admin ? (
            <ErrorNotice error={asApiError(new Error('This page needs the admin key; a project key sees its own traces and dashboard.'))} />
          ) : (
            match.route.render(match.params)
          )
        ) : (
          <section>
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{pathname}</code>. <Link to="/">Back to the dashboard</Link>.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
