/**
 * `fener deployments canary start|status|approve|promote|abort NAME`: canary releases through a
 * running server's /api (policy, approvals and the actor are the server's), with the admin key
 * from `--key` or FENER_ADMIN_KEY and the server from `--url` or FENER_URL.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { print, printJson } from '../shared.js';

interface ApiOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

async function api(options: ApiOptions, request: { method: string; path: string; body?: unknown }): Promise<unknown> {
  const { method, path, body } = request;
  const base = (options.url ?? process.env.FENER_URL ?? 'http://127.0.0.1:4000').replace(/\/$/, '');
  const key = options.key ?? process.env.FENER_ADMIN_KEY;
  if (!key) throw new Error('give --key or set FENER_ADMIN_KEY');
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const message = (answer as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${response.status}`;
    throw new Error(message);
  }
  return answer;
}

function summarise(canary: unknown): string {
  const view = canary as { id: string; status: string; variants: { name: string; percent: number; version: number }[] };
  const variants = view.variants.map((variant) => `${variant.name}=v${variant.version} ${variant.percent}%`).join(', ');
  const evaluation = (canary as { last_evaluation?: { decision?: string; reason?: string } | null }).last_evaluation;
  return `${view.id} ${view.status}: ${variants}${evaluation ? ` — last look: ${evaluation.decision} (${evaluation.reason})` : ''}`;
}

export function registerDeploymentCommands(program: Command): void {
  const canary = program
    .command('deployments')
    .description('deployments through a running server')
    .command('canary')
    .description('canary and A/B releases');
  const withApi = (command: Command) =>
    command
      .option('--url <url>', 'the server (default FENER_URL or http://127.0.0.1:4000)')
      .option('--key <key>', 'an admin key (default FENER_ADMIN_KEY)')
      .option('--json', 'print JSON');
  const show = (options: ApiOptions, answer: unknown, canaryOf: (answer: unknown) => unknown = (value) => value) =>
    options.json ? printJson(answer) : print(summarise(canaryOf(answer)));

  withApi(canary.command('start').argument('<name>').requiredOption('--file <path>', 'the canary as JSON (variants, analysis)')).action(
    async (name: string, options: ApiOptions & { file: string }) => {
      const body: unknown = JSON.parse(readFileSync(options.file, 'utf8'));
      show(options, await api(options, { method: 'POST', path: `/api/deployments/${encodeURIComponent(name)}/canary`, body }));
    },
  );
  withApi(canary.command('status').argument('<name>')).action(async (name: string, options: ApiOptions) => {
    show(options, await api(options, { method: 'GET', path: `/api/deployments/${encodeURIComponent(name)}/canary` }));
  });
  for (const action of ['approve', 'abort'] as const) {
    withApi(canary.command(action).argument('<name>')).action(async (name: string, options: ApiOptions) => {
      show(options, await api(options, { method: 'POST', path: `/api/deployments/${encodeURIComponent(name)}/canary/${action}` }));
    });
  }
  withApi(canary.command('promote').argument('<name>').option('--variant <name>', 'the variant (default: the only challenger)')).action(
    async (name: string, options: ApiOptions & { variant?: string }) => {
      const body = options.variant ? { variant: options.variant } : undefined;
      const answer = await api(options, { method: 'POST', path: `/api/deployments/${encodeURIComponent(name)}/canary/promote`, body });
      show(options, answer, (value) => (value as { canary: unknown }).canary);
      if (!options.json && (answer as { awaiting_approval: boolean }).awaiting_approval)
        print('waiting for a second person to promote it too');
    },
  );
}
