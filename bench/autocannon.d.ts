/**
 * autocannon 9 ships no types: this declares only what the benchmark uses, with
 * `skipAggregateResult: true` (the raw result of one instance). Times are in milliseconds.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export interface Options {
    url: string;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    /** Replace `[<id>]` in the body with a fresh unique id on every request. */
    idReplacement?: boolean;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Requests to send in all, instead of a duration; each connection stops after its share is answered. */
    amount?: number;
    /** Requests per second over all connections, split evenly between them. */
    overallRate?: number;
    pipelining?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    /** Return the raw counts of this instance instead of aggregating histograms into percentiles. */
    skipAggregateResult?: boolean;
    /**
     * Not in autocannon's README: how its worker threads replace the built-in HDR histograms
     * (`lib/worker.js`). A histogram marked `__custom` is neither encoded nor aggregated.
     */
    histograms?: { latencies: CustomHistogram; requests: CustomHistogram; throughput: CustomHistogram };
  }

  export interface CustomHistogram {
    __custom: true;
    recordValue(value: number): void;
    recordValueWithExpectedInterval(value: number, expectedInterval: number): void;
    reset(): void;
    destroy(): void;
  }

  export interface Result {
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    /** Responses by HTTP status, e.g. `{ "200": { count: 1234 } }`. */
    statusCodeStats: Record<string, { count: number }>;
    /** Requests sent. */
    totalRequests: number;
    /** Seconds. */
    duration: number;
  }

  export interface Client {
    readonly opts: { hostname: string; port: string | number };
  }

  export interface Instance extends EventEmitter {
    on(event: 'response', listener: (client: Client, statusCode: number, bytes: number, responseTimeMs: number) => void): this;
    on(event: 'reqError', listener: (error: Error) => void): this;
    stop(): void;
  }

  function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): Instance;
  export default autocannon;
}
