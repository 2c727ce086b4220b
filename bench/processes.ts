/**
 * Child processes for the benchmark: each side (upstream, proxy, Fener) runs in its own process so
 * that it gets the CPU as it would in production. Every child started here is registered and
 * killed when the benchmark ends, fails or is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Child {
  name: string;
  pid: number;
  /** The last lines the child wrote to stdout and stderr, for error messages. */
  output(): string;
  /** Whether the child exited (by itself or because it was stopped). */
  exited(): boolean;
  /** Resolves with the exit code (null when a signal ended it) once the child is gone. */
  finished: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface ChildOptions {
  name: string;
  /** Arguments to `node`, e.g. `['--import', 'tsx', 'bench/minimal-proxy.ts']`. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd: string;
  /** Called with every complete line the child writes (e.g. `--trace-gc` lines to count). */
  onLine?: (line: string) => void;
}

const running = new Set<ChildProcess>();
const outputLimit = 16_384;

export function startChild(options: ChildOptions): Child {
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${options.name}: could not start node ${options.args.join(' ')}`);
  running.add(child);
  let output = '';
  let partial = '';
  const onLine = options.onLine;
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output += text;
    if (onLine) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    }
    // Keep the tail, from the start of a line, so that the last messages stay readable.
    if (output.length > outputLimit) output = output.slice(output.indexOf('\n', output.length - outputLimit) + 1);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exit.then(() => running.delete(child));
  return {
    name: options.name,
    pid: child.pid,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    finished: exit,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the first match of `pattern` in the child's output, or fails naming the child. */
export async function waitForOutput(child: Child, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = child.output().match(pattern);
    if (match) return match;
    if (child.exited()) break;
    await sleep(25);
  }
  throw new Error(`${child.name} did not become ready (${child.exited() ? 'it exited' : 'timed out'}). Its output:\n${child.output()}`);
}

/** Polls `url` until it answers 2xx. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !child.exited()) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not answer ${url} (${child.exited() ? 'it exited' : 'timed out'}). Its output:\n${child.output()}`);
}

/** A port that was free a moment ago on loopback (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const exitCleanups = new Set<() => void>();

/** Runs `cleanup` (synchronous) when this process exits, unless the returned function was called first. */
export function cleanupOnExit(cleanup: () => void): () => void {
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

/** Kills every child still running and removes temporary files when this process exits, is interrupted, or crashes. */
export function killChildrenOnExit(): void {
  const killAll = (): void => {
    for (const child of running) child.kill('SIGKILL');
    for (const cleanup of exitCleanups) {
      try {
        cleanup();
      } catch {
        // best effort while exiting
      }
    }
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the benchmark and its child processes\n`);
      process.exit(130);
    });
  }
}
