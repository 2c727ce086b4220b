/** The signed-in key: kept in sessionStorage (gone when the tab closes), with its SDK client. */
import { createContext, useContext, useState, type ReactNode } from 'react';
import { FenerClient, type Session } from '../../src/sdk/browser.js';

const storageKey = 'fener.console.key';

export interface SignedIn {
  client: FenerClient;
  session: Session;
  signOut(): void;
}

const SessionContext = createContext<SignedIn | undefined>(undefined);

export function clientFor(apiKey: string): FenerClient {
  return new FenerClient({ baseUrl: '', apiKey });
}

export function storedKey(): string | null {
  return window.sessionStorage.getItem(storageKey);
}

export function storeKey(apiKey: string | null): void {
  if (apiKey === null) window.sessionStorage.removeItem(storageKey);
  else window.sessionStorage.setItem(storageKey, apiKey);
}

export function SessionProvider(props: { value: SignedIn; children: ReactNode }): ReactNode {
  return <SessionContext.Provider value={props.value}>{props.children}</SessionContext.Provider>;
}

/** The signed-in client and who it is; only used under the signed-in layout. */
export function useSession(): SignedIn {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside of a signed-in console');
  return value;
}

export function useClient(): FenerClient {
  return useSession().client;
}

/** A counter to bump after a change, so that data loaded with it as a dependency reloads. */
export function useRefresh(): [number, () => void] {
  const [count, setCount] = useState(0);
  return [count, () => setCount((value) => value + 1)];
}
