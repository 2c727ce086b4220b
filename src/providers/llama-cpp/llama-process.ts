/**
 * The gateway's side of the llama.cpp child process: forks it on first use, routes its replies
 * to the jobs waiting for them, and when it dies fails those jobs with `upstream_unavailable`
 * (the next job forks a fresh child). A child that crashes natively while loading the model
 * marks that file as broken, so a bad model is not reloaded on every request until it changes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FenerError } from '../../core/index.js';
import { childMessageSchema, type ChildSettings, type JobMessage, type JobReply } from './protocol.js';

export interface JobHandlers {
  onReply(reply: JobReply): void;
  onFailure(error: FenerError): void;
}

/** The child entry beside this file: `child.ts` under tsx, `child.js` once compiled. */
function childEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), `child${extname(here)}`);
}

/** The parent's node flags (`--import tsx` under tests) minus those that would clash in a child. */
function childExecArgv(): string[] {
  return process.execArgv.filter((flag) => !/^--(test|inspect|debug|watch)/.test(flag));
}

const nativeCrashSignals = new Set<NodeJS.Signals>(['SIGABRT', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGTRAP']);
const stderrTailBytes = 2_000;
const killGraceMs = 2_000;

const isTerminal = (reply: JobReply): boolean => reply.type !== 'chat-start' && reply.type !== 'text-delta';

async function fileStamp(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info === undefined ? 'missing' : `${info.size}:${info.mtimeMs}`;
}

export class LlamaProcess {
  private child: ChildProcess | undefined;
  private childStamp = '';
  private exited: Promise<void> = Promise.resolve();
  private readonly jobs = new Map<number, JobHandlers>();
  private nextId = 0;
  private loadingModel = false;
  private stderrTail = '';
  private broken: { stamp: string; error: FenerError } | undefined;
  private closed = false;

  constructor(private readonly settings: ChildSettings) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends a job and returns its id; replies and failures arrive through `handlers`. */
  async submit(build: (id: number) => JobMessage, handlers: JobHandlers): Promise<number> {
    if (this.closed) throw new FenerError('upstream_unavailable', 'the llama-cpp provider is closed', { retryable: false });
    const child = this.child ?? (await this.spawn());
    const id = this.nextId++;
    this.jobs.set(id, handlers);
    this.updateRef();
    child.send(build(id), (error) => {
      if (error) this.failJob(id, new FenerError('upstream_unavailable', `cannot reach the llama.cpp process: ${error.message}`));
    });
    return id;
  }

  /** Stops waiting for a job and tells the child to stop working on it. */
  cancel(id: number): void {
    if (!this.jobs.delete(id)) return;
    this.updateRef();
    if (this.child?.connected) this.child.send({ type: 'cancel', id });
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.failAll(new FenerError('upstream_unavailable', 'the llama-cpp provider was closed', { retryable: false }));
    if (child === undefined) return;
    const exited = this.exited;
    child.ref(); // keep the event loop alive until the child is gone
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        timer = setTimeout(resolve, killGraceMs); // a child that never spawned never exits
      }, killGraceMs);
    });
    await Promise.race([exited, gaveUp]);
    clearTimeout(timer);
    if (this.child === child) this.child = undefined;
  }

  private async spawn(): Promise<ChildProcess> {
    const stamp = await fileStamp(this.settings.modelPath);
    if (this.broken !== undefined && this.broken.stamp === stamp) throw this.broken.error;
    this.broken = undefined;
    if (this.closed) throw new FenerError('upstream_unavailable', 'the llama-cpp provider is closed', { retryable: false });
    // Another job may have forked while this one awaited the file's stamp.
    if (this.child !== undefined) return this.child;
    const child = fork(childEntry(), [JSON.stringify(this.settings)], {
      execArgv: childExecArgv(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    this.childStamp = stamp;
    this.stderrTail = '';
    this.loadingModel = false;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // Kept only for crash reports (llama.cpp prints its failed assertion there); it must not hold the loop.
    (child.stderr as Socket | null)?.unref();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-stderrTailBytes);
    });
    child.on('message', (raw) => this.receive(child, raw));
    child.on('error', (error) => {
      // A child that never started emits no exit: forget it, so that the next job forks again.
      if (child.pid === undefined && this.child === child) this.child = undefined;
      this.failAll(new FenerError('upstream_unavailable', `cannot run the llama.cpp process: ${error.message}`));
    });
    // 'close' rather than 'exit': it comes after stderr is drained, so the crash report is complete.
    child.once('close', (code, signal) => this.onExit(child, code, signal));
    return child;
  }

  private receive(child: ChildProcess, raw: unknown): void {
    const parsed = childMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.failAll(new FenerError('upstream_error', `the llama.cpp process sent a malformed message: ${parsed.error.message}`));
      child.kill('SIGKILL');
      return;
    }
    const message = parsed.data;
    if (message.type === 'model-loading') this.loadingModel = true;
    else if (message.type === 'model-loaded') this.loadingModel = false;
    else {
      const handlers = this.jobs.get(message.id);
      if (handlers === undefined) return; // cancelled: its last words do not matter
      if (isTerminal(message)) this.jobs.delete(message.id);
      this.updateRef();
      handlers.onReply(message);
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    const detail = tail === '' ? '' : `: ${tail}`;
    if (this.loadingModel && signal !== null && nativeCrashSignals.has(signal)) {
      const error = new FenerError(
        'upstream_error',
        `llama.cpp crashed while loading ${this.settings.modelPath} (${signal})${detail}; the file looks malformed`,
        { retryable: false },
      );
      this.broken = { stamp: this.childStamp, error };
      this.failAll(error);
      return;
    }
    this.failAll(new FenerError('upstream_unavailable', `the llama.cpp process ${how}${detail}`));
  }

  private failJob(id: number, error: FenerError): void {
    const handlers = this.jobs.get(id);
    this.jobs.delete(id);
    this.updateRef();
    handlers?.onFailure(error);
  }

  private failAll(error: FenerError): void {
    for (const id of [...this.jobs.keys()]) this.failJob(id, error);
  }

  /** An idle child must not keep the gateway (or a test run) alive; a busy one must. */
  private updateRef(): void {
    const child = this.child;
    if (child === undefined) return;
    const busy = this.jobs.size > 0;
    for (const handle of [child, child.channel]) {
      if (busy) handle?.ref();
      else handle?.unref();
    }
  }
}
