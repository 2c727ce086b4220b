/**
 * The console's pages, in one table: a path pattern, a title, whether it is in the navigation, and
 * the page (the canary panel lives on the deployments page, the feedback form on a trace's page). Paths are real URLs (the server answers any page
 * path with index.html), so links can be shared and the back button works.
 */
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import { AuditPage } from './pages/audit.js';
import { DashboardPage } from './pages/dashboard.js';
import { DatasetDetailPage } from './pages/dataset-detail.js';
import { DatasetsPage } from './pages/datasets.js';
import { ExperimentComparePage } from './pages/experiment-compare.js';
import { NewRunPage } from './pages/experiment-new.js';
import { ExperimentRunPage } from './pages/experiment-run.js';
import { ExperimentsPage } from './pages/experiments.js';
import { FeedbackQueuePage } from './pages/feedback-queue.js';
import { FeedbackPage } from './pages/feedback.js';
import { KeysPage } from './pages/keys.js';
import { ModelsPage } from './pages/models.js';
import { PromptDetailPage } from './pages/prompt-detail.js';
import { PromptsPage } from './pages/prompts.js';
import { TraceDetailPage } from './pages/trace-detail.js';
import { TracesPage } from './pages/traces.js';

export interface PageRoute {
  /** `/traces/:id`: `:name` segments become params. */
  path: string;
  title: string;
  /** Shown in the side navigation. */
  nav: boolean;
  /** Needs the admin key (a project key sees a clear notice instead of a failed call). */
  admin: boolean;
  render(params: Record<string, string>): ReactNode;
}

export const pageRoutes: PageRoute[] = [
  { path: '/', title: 'Dashboard', nav: true, admin: false, render: () => <DashboardPage /> },
  { path: '/traces', title: 'Traces', nav: true, admin: false, render: () => <TracesPage /> },
  { path: '/traces/:id', title: 'Trace', nav: false, admin: false, render: (params) => <TraceDetailPage id={params.id ?? ''} /> },
  { path: '/prompts', title: 'Prompts', nav: true, admin: true, render: () => <PromptsPage /> },
  { path: '/prompts/:name', title: 'Prompt', nav: false, admin: true, render: (params) => <PromptDetailPage name={params.name ?? ''} /> },
  { path: '/datasets', title: 'Datasets', nav: true, admin: true, render: () => <DatasetsPage /> },
  {
    path: '/datasets/:name',
    title: 'Dataset',
    nav: false,
    admin: true,
    render: (params) => <DatasetDetailPage name={params.name ?? ''} />,
  },
  { path: '/experiments', title: 'Experiments', nav: true, admin: true, render: () => <ExperimentsPage /> },
  { path: '/experiments/new', title: 'New run', nav: false, admin: true, render: () => <NewRunPage /> },
  { path: '/experiments/compare', title: 'Compare runs', nav: false, admin: true, render: () => <ExperimentComparePage /> },
  { path: '/experiments/runs/:id', title: 'Run', nav: false, admin: true, render: (params) => <ExperimentRunPage id={params.id ?? ''} /> },
  { path: '/feedback', title: 'Feedback', nav: true, admin: false, render: () => <FeedbackPage /> },
  {
    path: '/feedback/queues/:queue',
    title: 'Annotation queue',
    nav: false,
    admin: false,
    render: (params) => <FeedbackQueuePage name={params.queue ?? ''} />,
  },
  { path: '/models', title: 'Models & deployments', nav: true, admin: true, render: () => <ModelsPage /> },
  { path: '/keys', title: 'Keys', nav: true, admin: true, render: () => <KeysPage /> },
  { path: '/audit', title: 'Audit', nav: true, admin: true, render: () => <AuditPage /> },
];

export interface Match {
  route: PageRoute;
  params: Record<string, string>;
}

export function matchRoute(pathname: string): Match | undefined {
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  for (const route of pageRoutes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((segment, index) => {
      const part = parts[index] ?? '';
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(part);
        return true;
      }
      return segment === part;
    });
    if (matches) return { route, params };
  }
  return undefined;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', to);
  listeners.forEach((listener) => listener());
}

/** The current path; re-renders on navigation. */
export function usePathname(): string {
  const [pathname, setPathname] = useState(window.location.pathname);
  useEffect(() => {
    const listener = (): void => setPathname(window.location.pathname);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return pathname;
}

/** An in-app link: a real `<a href>` (open in a new tab works), navigating without a reload. */
export function Link(props: { to: string; children: ReactNode; className?: string; 'aria-current'?: 'page' }): ReactNode {
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className} aria-current={props['aria-current']}>
      {props.children}
    </a>
  );
}
