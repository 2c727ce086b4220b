import { createMemoryState } from './memory-state.js';
import { createRedisState, type StateLogger } from './redis-state.js';
import type { SharedState } from './spec.js';

export { createMemoryState, MemoryState } from './memory-state.js';
export type { MemoryStateOptions } from './memory-state.js';
export { createRedisState, RedisState } from './redis-state.js';
export type { RedisStateOptions, StateLogger } from './redis-state.js';
export type {
  BreakerState,
  BudgetState,
  ReserveInput,
  SettleInput,
  SharedState,
  WindowBatchResult,
  WindowInput,
  WindowResult,
} from './spec.js';

export interface SharedStateOptions {
  /** `redis://…` shares the state among processes; without it the state lives in this process. */
  redisUrl?: string;
  logger?: StateLogger;
  /** Redis only: longest wait for one operation before it is answered from memory (default 100 ms). */
  opTimeoutMs?: number;
  /** Redis only: prefix of every key (default `fener:`). */
  keyPrefix?: string;
}

/** The state the configuration asks for: Redis when `redisUrl` is set, memory otherwise. */
export function createSharedState(options: SharedStateOptions = {}): SharedState {
  if (options.redisUrl === undefined) return createMemoryState();
  return createRedisState(options.redisUrl, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.opTimeoutMs === undefined ? {} : { opTimeoutMs: options.opTimeoutMs }),
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
  });
}
