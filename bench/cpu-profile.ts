/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`): where the process spent its own
 * CPU time ("self time"), by function and by module — our modules under `src/`/`dist/`, each npm
 * package, and Node's internals.
 *
 *   node --import tsx bench/cpu-profile.ts path/to/file.cpuprofile [--top 25]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Share of the time the process was not idle. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  modules: SelfTime[];
}

/** `node_modules/fastify/lib/reply.js` → `fastify`; `dist/gateway/gateway.js` → `fener: gateway/gateway`. */
function moduleOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0] ?? ''}`;
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1] ?? url;
  const ours = /\/(?:dist|src)\/(.+?)\.[cm]?[jt]s$/.exec(url);
  if (ours) return `fener: ${ours[1]}`;
  return url.replace(/^file:\/\//, '');
}

function functionLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === '') return functionName;
  const file = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/');
  return `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}`;
}

function ranked(totals: Map<string, number>, busyMs: number, top: number): SelfTime[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, share: ms / busyMs }));
}

export function summarizeProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    if (!node) return;
    if (node.callFrame.functionName === '(idle)') return void (idleMs += ms);
    busyMs += ms;
    const label = functionLabel(node);
    functions.set(label, (functions.get(label) ?? 0) + ms);
    const module = moduleOf(node.callFrame.url);
    modules.set(module, (modules.get(module) ?? 0) + ms);
  });
  return { busyMs, idleMs, functions: ranked(functions, busyMs, top), modules: ranked(modules, busyMs, top) };
}

export function renderProfile(summary: ProfileSummary): string {
  const line = (entry: SelfTime): string =>
    `| ${(entry.share * 100).toFixed(1)}% | ${entry.ms.toFixed(0)} | ${entry.name.replace(/\|/g, '\\|')} |`;
  return [
    `CPU busy ${(summary.busyMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s.`,
    '',
    '| self % | self ms | module |',
    '| ---: | ---: | --- |',
    ...summary.modules.map(line),
    '',
    '| self % | self ms | function |',
    '| ---: | ---: | --- |',
    ...summary.functions.map(line),
    '',
  ].join('\n');
}

/** Prints the summary of every `.cpuprofile` in a directory (one per profiled Fener process). */
export function printProfiles(directory: string): void {
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'))) {
    const path = join(directory, file);
    process.stdout.write(`\n### CPU profile of Fener (${path})\n\n${renderProfile(summarizeProfile(path))}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  for (const path of positionals) process.stdout.write(`### ${path}\n\n${renderProfile(summarizeProfile(path, Number(values.top)))}\n`);
}
