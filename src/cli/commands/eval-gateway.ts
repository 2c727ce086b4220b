/**
 * The gateway an `fener eval` command calls through, in this process: the same runtime as the
 * server's (configured providers, prompt and deployment resolvers, trace recorder on the same
 * database), so experiment calls are routed, priced and traced exactly like live traffic —
 * without a server running, a key to hand out, or an HTTP hop. `--url`/`--key` instead call
 * a Fener server over HTTP.
 */
import type { FenerConfig } from '../../core/index.js';
import { GatewayEvalClient, HttpEvalClient, type EvalClient } from '../../evals/index.js';
import { startGatewayRuntime, type ModelCatalog } from '../../gateway/index.js';
import type { Principal } from '../../identity/index.js';
import { PromptResolver } from '../../prompts/index.js';
import { RegistryRouting } from '../../registry/index.js';
import { createSharedState } from '../../state/index.js';
import type { Store } from '../../store/index.js';
import { createLogger } from '../shared.js';

/** Experiments run from the CLI act as an admin of no project: no key limits, traced under `admin`. */
const cliPrincipal: Principal = {
  id: 'key_cli_eval',
  projectId: null,
  name: 'fener eval',
  kind: 'admin',
  hint: 'fener eval',
  createdAt: 0,
  revokedAt: null,
  project: null,
};

export interface EvalGateway {
  client: EvalClient;
  catalog: ModelCatalog;
  close(): Promise<void>;
}

export async function openEvalGateway(
  config: FenerConfig,
  store: Store,
  remote: { url?: string | undefined; key?: string | undefined },
): Promise<EvalGateway> {
  const logger = createLogger({ ...config, log_level: config.log_level === 'info' ? 'warn' : config.log_level });
  const state = createSharedState({ ...(config.redis_url ? { redisUrl: config.redis_url } : {}), logger });
  const prompts = new PromptResolver(store, { onError: (error) => logger.warn({ err: error }, 'polling prompt changes failed') });
  const registry = new RegistryRouting(store, { onError: (error) => logger.warn({ err: error }, 'polling registry changes failed') });
  await registry.start();
  const runtime = await startGatewayRuntime({
    config,
    store,
    state,
    logger,
    processMetrics: false,
    resolvers: [prompts, ...registry.resolvers],
  });
  let client: EvalClient = new GatewayEvalClient(runtime.gateway, cliPrincipal);
  if (remote.url !== undefined) {
    if (remote.key === undefined) throw new Error('--url needs --key (or FENER_KEY): a virtual key of that server');
    client = new HttpEvalClient(remote.url, remote.key);
  }
  return {
    client,
    catalog: runtime.catalog,
    async close() {
      prompts.stop();
      registry.stop();
      await runtime.close();
      await state.close();
    },
  };
}
