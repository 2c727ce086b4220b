export { apiRoutes, buildApp } from './app.js';
export type { ServerContext } from './context.js';
export { startServer, version } from './start.js';
export type { RunningServer, StartServerOptions } from './start.js';
export { serveClusterMetrics } from './cluster-metrics.js';
