import type { Logger } from 'pino';
import type { FenerConfig } from '../core/index.js';
import type { GatewayRuntime } from '../gateway/index.js';
import type { Authenticator } from '../identity/index.js';
import type { CanaryEvaluator } from '../registry/index.js';
import type { Store } from '../store/index.js';

/** Everything a route may use, built once at start. */
export interface ServerContext {
  config: FenerConfig;
  store: Store;
  authenticator: Authenticator;
  runtime: GatewayRuntime;
  logger: Logger;
  version: string;
  /** Evaluates running canaries in the background; the API may also ask it for a look now. */
  canaryEvaluator: CanaryEvaluator;
}
