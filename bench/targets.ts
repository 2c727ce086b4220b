/**
 * The three processes the benchmark talks to, each started as a user would start it: the mock
 * provider (the upstream), the minimal proxy (the baseline) and Fener (`fener serve` with a
 * `fener.yaml`, its own data directory and tracing on, as by default).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupOnExit, freePort, startChild, waitForHttp, waitForOutput, type Child } from './processes.js';

/** How the `fener` command runs: the compiled CLI (`bin/fener.js`, no tsx in the process) or from source. */
export type LaunchMode = 'dist' | 'tsx';

export interface Launch {
  root: string;
  mode: LaunchMode;
}

export interface RunningTarget {
  child: Child;
  /** Origin, e.g. `http://127.0.0.1:4100`. */
  url: string;
}

export interface RunningFener extends RunningTarget {
  /** A virtual key created through `POST /api/keys`. */
  key: string;
  /** `process_resident_memory_bytes` from `/metrics`. */
  residentMemoryBytes(): Promise<number | undefined>;
  /** Stops the server (so that `--cpu-prof` writes its profile) and removes its data directory. */
  stop(): Promise<void>;
}

function fenerCommand(launch: Launch): string[] {
  return launch.mode === 'dist' ? ['bin/fener.js'] : ['--import', 'tsx', 'test/support/fener-cli.ts'];
}

const listeningUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

export async function startMockProvider(launch: Launch): Promise<RunningTarget> {
  const child = startChild({
    name: 'mock provider',
    cwd: launch.root,
    args: [...fenerCommand(launch), 'mock-provider', '--port', '0', '--seed', '1', '--output-tokens', '16'],
  });
  const url = (await waitForOutput(child, listeningUrl))[1] ?? '';
  return { child, url };
}

async function startBaseline(name: string, script: string, root: string, upstream: string): Promise<RunningTarget> {
  const child = startChild({ name, cwd: root, args: ['--import', 'tsx', script, '--upstream', upstream, '--port', '0'] });
  const url = (await waitForOutput(child, listeningUrl))[1] ?? '';
  return { child, url };
}

export function startMinimalProxy(root: string, upstream: string): Promise<RunningTarget> {
  return startBaseline('minimal proxy', 'bench/minimal-proxy.ts', root, upstream);
}

/** Fastify + undici doing only JSON in, JSON upstream, JSON out (bench/framework-floor.ts). */
export function startFrameworkFloor(root: string, upstream: string): Promise<RunningTarget> {
  return startBaseline('framework floor', 'bench/framework-floor.ts', root, upstream);
}

function fenerYaml(upstream: string, extraYaml = ''): string {
  return [
    'providers:',
    '  - id: upstream',
    '    type: openai-compatible',
    `    base_url: ${upstream}/v1`,
    'models:',
    '  - name: bench',
    '    provider: upstream',
    '    upstream_model: gpt-4o-mini',
    '    price: { input_per_mtok: 0.15, output_per_mtok: 0.6 }',
    extraYaml,
  ].join('\n');
}

export interface FenerOptions {
  launch: Launch;
  upstream: string;
  /** Write a V8 CPU profile of the Fener process into this directory when it stops. */
  cpuProfileDir?: string;
  /** More top-level `fener.yaml` (e.g. a `cache:` section). */
  extraYaml?: string;
  /** `fener serve --workers N`. */
  workers?: number;
  /** The body of `POST /api/keys` for the benchmark's key (limits, budget), beyond its name. */
  key?: Record<string, unknown>;
  /** More environment for the server (e.g. `REDIS_URL`). */
  env?: NodeJS.ProcessEnv;
  /** A name for this Fener in logs, when a benchmark starts several. */
  name?: string;
  /** More flags for node itself (e.g. `--trace-gc`, which NODE_OPTIONS does not accept). */
  nodeFlags?: string[];
  /** Every line the server writes (with `--trace-gc`: one per collection). */
  onOutputLine?: (line: string) => void;
}

export async function startFener(options: FenerOptions): Promise<RunningFener> {
  const { launch } = options;
  const home = mkdtempSync(join(tmpdir(), 'fener-bench-'));
  const removeHome = (): void => rmSync(home, { recursive: true, force: true });
  const forget = cleanupOnExit(removeHome);
  const configPath = join(home, 'fener.yaml');
  writeFileSync(configPath, fenerYaml(options.upstream, options.extraYaml));
  const port = await freePort();
  const adminKey = `sk-fener-admin-bench-${randomBytes(16).toString('hex')}`;
  if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, { recursive: true });
  const profiling = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const workers = options.workers === undefined ? [] : ['--workers', String(options.workers)];
  const child = startChild({
    name: options.name ?? 'fener',
    cwd: launch.root,
    args: [...(options.nodeFlags ?? []), ...profiling, ...fenerCommand(launch), 'serve', '--config', configPath, ...workers],
    env: {
      FENER_DATA_DIR: join(home, 'data'),
      FENER_ADMIN_KEY: adminKey,
      FENER_LOG_LEVEL: 'warn',
      FENER_PORT: String(port),
      ...options.env,
    },
    ...(options.onOutputLine ? { onLine: options.onOutputLine } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(child, `${url}/healthz`);
    const key = await createKey(url, adminKey, options.key);
    return {
      child,
      url,
      key,
      residentMemoryBytes: () => residentMemoryFromMetrics(url),
      async stop() {
        // Generous grace: Fener drains requests and writes pending traces before it exits.
        await child.stop(30_000);
        removeHome();
        forget();
      },
    };
  } catch (error) {
    await child.stop();
    removeHome();
    forget();
    throw error;
  }
}

async function createKey(url: string, adminKey: string, settings: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${url}/api/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', ...settings }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`creating a key failed: ${response.status} ${text}`);
  const body: unknown = JSON.parse(text);
  const key = typeof body === 'object' && body !== null && 'key' in body ? body.key : undefined;
  if (typeof key !== 'string') throw new Error(`creating a key: no "key" in ${text}`);
  return key;
}

async function residentMemoryFromMetrics(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(`${url}/metrics`);
    const match = /^process_resident_memory_bytes (\S+)$/m.exec(await response.text());
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Written into `dist/` after a build of ours succeeded: a failed build also emits JavaScript, which must not be reused. */
const buildStamp = 'dist/.bench-build-ok';

/**
 * Compiles Fener (`tsc -p tsconfig.build.json` into `dist/`, as `npm install` does) so that the
 * measured process runs plain JavaScript. If the build fails — say, someone's work in progress
 * does not type-check — the benchmark still runs, from source through tsx, and says so.
 */
export async function buildFener(root: string): Promise<{ mode: LaunchMode; note: string }> {
  const started = Date.now();
  rmSync(join(root, buildStamp), { force: true });
  const child = startChild({ name: 'tsc', cwd: root, args: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'] });
  const code = await child.finished;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (code === 0 && existsSync(join(root, 'dist/cli/main.js'))) {
    // Dated when the build started: a source file changed while tsc ran is newer, so the next run builds again.
    writeFileSync(join(root, buildStamp), `${new Date(started).toISOString()}\n`);
    utimesSync(join(root, buildStamp), new Date(started), new Date(started));
    return { mode: 'dist', note: `built dist/ in ${seconds} s` };
  }
  const firstErrors = child.output().split('\n').slice(0, 5).join('\n');
  return { mode: 'tsx', note: `build failed after ${seconds} s, running from source with tsx:\n${firstErrors}` };
}

/** Whether `dist/` was built successfully after the last change to any file under `src/` (so building again can be skipped). */
export function isBuildFresh(root: string): boolean {
  const stamp = join(root, buildStamp);
  if (!existsSync(stamp) || !existsSync(join(root, 'dist/cli/main.js'))) return false;
  const builtAt = statSync(stamp).mtimeMs;
  const newestSource = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((newest, entry) => Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
  return newestSource < builtAt;
}
