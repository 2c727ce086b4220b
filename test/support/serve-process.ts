/**
 * `fener serve` as a real child process run from source, with its JSON log lines collected so a
 * test can wait for one (`fener is listening`, a degradation warning, a worker restart) and read
 * the pid and URL each carries.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cliEntry } from './cli.js';

/** One pino line: `msg`, `pid`, `level` and whatever fields the call logged. */
export interface LogLine {
  msg?: string;
  pid?: number;
  level?: number;
  url?: string;
  [field: string]: unknown;
}

export interface ServeProcess {
  child: ChildProcess;
  /** The URL of the first `fener is listening` line. */
  url: string;
  /** Every JSON line written to stdout so far. */
  readonly logs: readonly LogLine[];
  stderr(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** The first line (already logged or still to come) that `match` accepts. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal` and waits for the exit code; SIGKILL if it has not exited within 20 s. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServeOptions {
  env: NodeJS.ProcessEnv;
  args?: string[];
  /** How many `fener is listening` lines to wait for before resolving (one per worker). */
  listening?: number;
  /** Run in a new process group, so a test can signal the whole group as a terminal's Ctrl-C would. */
  detached?: boolean;
  timeoutMs?: number;
}

export const isListening = (line: LogLine): boolean => line.msg === 'fener is listening';

export function startServe(options: ServeOptions): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'serve', '--port', '0', ...(options.args ?? [])], {
    env: { ...process.env, FENER_LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const logs: LogLine[] = [];
  const waiters = new Set<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    logs.push(line);
    for (const waiter of waiters) {
      if (!waiter.match(line)) continue;
      waiters.delete(waiter);
      waiter.resolve(line);
    }
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );

  const waitForLog = (match: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> => {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (line: LogLine) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr}\nlogs:\n${logLines(logs)}`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (exitCode !== undefined) return exitCode;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise((resolve, reject) => {
    const wanted = options.listening ?? 1;
    const timeoutMs = options.timeoutMs ?? 45_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fewer than ${wanted} listening lines in ${timeoutMs} ms; stderr: ${stderr}\nlogs:\n${logLines(logs)}`));
    }, timeoutMs);
    const check = (): void => {
      const listening = logs.filter(isListening);
      if (listening.length < wanted) return;
      clearTimeout(timer);
      resolve({ child, url: String(listening[0]?.url), logs, stderr: () => stderr, exited, waitForLog, stop });
    };
    child.stdout!.on('data', () => setImmediate(check));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`fener serve exited with ${code} before listening: ${stderr}\nlogs:\n${logLines(logs)}`));
    });
  });
}

/** Starts several at once; if any fails, stops the others before rejecting, so none is left running. */
export async function startServes(options: ServeOptions[]): Promise<ServeProcess[]> {
  const results = await Promise.allSettled(options.map((each) => startServe(each)));
  const running = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((server) => server.stop()));
    throw failed.reason;
  }
  return running;
}

function logLines(logs: readonly LogLine[]): string {
  return logs
    .slice(-30)
    .map((line) => JSON.stringify(line))
    .join('\n');
}

/** Whether a process with this pid is still alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
