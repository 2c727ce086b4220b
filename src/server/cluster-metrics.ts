/**
 * `/metrics` under `fener serve --workers N`: a scrape reaches one worker, but must report the
 * whole server. The worker asks the primary, which gathers every worker's registry through
 * prom-client's cluster aggregation and answers; alone (or if the primary is slow), a worker
 * reports its own numbers.
 */
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

const request = 'fener:metrics-request';
const reply = 'fener:metrics-reply';

interface MetricsMessage {
  type: string;
  id: string;
  text?: string;
}

function isMetricsMessage(message: unknown): message is MetricsMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as MetricsMessage).type === 'string' &&
    typeof (message as MetricsMessage).id === 'string'
  );
}

/** In the primary: answer workers' requests with the metrics of all workers. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMetricsMessage(message) || message.type !== request) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: reply, id: message.id, text }),
      () => worker.send({ type: reply, id: message.id }),
    );
  });
}

/** In a worker: declare which registry the primary gathers. */
export function shareRegistryWithPrimary(registry: Registry): void {
  if (!cluster.isWorker) return;
  // Constructing an aggregator is what installs prom-client's listener that answers the primary.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

/** The metrics text a scrape should see: the whole cluster's when in one, else this process's. */
export async function metricsText(registry: Registry): Promise<string> {
  if (!cluster.isWorker || !process.send) return registry.metrics();
  const id = randomUUID();
  const answer = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => finish(undefined), 2000);
    const onMessage = (message: unknown): void => {
      if (isMetricsMessage(message) && message.type === reply && message.id === id) finish(message.text);
    };
    function finish(text: string | undefined): void {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(text);
    }
    process.on('message', onMessage);
    process.send?.({ type: request, id });
  });
  return answer ?? registry.metrics();
}
