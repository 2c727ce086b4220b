/**
 * Experiments started through `/api`: each runs in the background of the server process, and
 * can be cancelled; when the server stops, running experiments are cancelled and stay
 * resumable (their finished items are stored).
 */
import type { Logger } from 'pino';
import { FenerError } from '../core/index.js';
import type { EvalRun, Store } from '../store/index.js';
import type { EvalClient } from './client.js';
import type { ExperimentDefinition } from './definition.js';
import { runExperiment } from './runner.js';
import { itemSourceFor, type DatasetResolver } from './sources.js';

export interface ExperimentServiceOptions {
  store: Store;
  client: EvalClient;
  logger: Logger;
  datasets?: DatasetResolver;
  /** Experiments running at once in this process (default 2); more are refused with 429… as `unavailable`. */
  maxRunning?: number;
}

export class ExperimentService {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly options: ExperimentServiceOptions) {}

  /** Starts (or resumes) a run and answers as soon as it exists; items run in the background. */
  start(input: { definition?: ExperimentDefinition; resume?: string; actor: string }): Promise<EvalRun> {
    if (this.running.size >= (this.options.maxRunning ?? 2)) {
      throw new FenerError('unavailable', `${this.running.size} experiments are already running in this process; try again when one ends`, {
        retryable: true,
      });
    }
    if (input.resume !== undefined && this.running.has(input.resume))
      throw new FenerError('conflict', `run ${input.resume} is running`, { param: 'run' });
    const controller = new AbortController();
    return new Promise<EvalRun>((resolve, reject) => {
      let started = false;
      const done = runExperiment({
        store: this.options.store,
        client: this.options.client,
        ...(input.definition ? { definition: input.definition } : {}),
        ...(input.resume !== undefined ? { resume: input.resume } : {}),
        source: (definition) => itemSourceFor(definition, this.options.datasets),
        actor: input.actor,
        signal: controller.signal,
        onStart: (run) => {
          started = true;
          this.running.set(run.id, {
            controller,
            done: done.then(
              () => undefined,
              () => undefined,
            ),
          });
          resolve(run);
        },
      })
        .then(() => undefined)
        .catch((error: unknown) => {
          if (!started) reject(error);
          else if (!controller.signal.aborted) this.options.logger.warn({ err: error }, 'experiment run failed');
        })
        .finally(() => {
          for (const [id, entry] of this.running) if (entry.controller === controller) this.running.delete(id);
        });
    });
  }

  isRunning(runId: string): boolean {
    return this.running.has(runId);
  }

  async cancel(runId: string): Promise<void> {
    const entry = this.running.get(runId);
    if (!entry) throw new FenerError('conflict', `run ${runId} is not running in this process`, { param: 'run' });
    entry.controller.abort();
    await entry.done;
  }

  /** Cancels every running experiment (server shutdown); they stay resumable. */
  async stop(): Promise<void> {
    const entries = [...this.running.values()];
    for (const entry of entries) entry.controller.abort();
    await Promise.all(entries.map((entry) => entry.done));
  }

  /** Waits for a run of this process to end (tests, the CLI). */
  async settled(runId: string): Promise<void> {
    await this.running.get(runId)?.done;
  }
}
