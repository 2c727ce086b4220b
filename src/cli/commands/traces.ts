import type { Command } from 'commander';
import type { TraceFilter } from '../../store/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';

interface ListOptions {
  model?: string;
  user?: string;
  status?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
}

export function registerTraceCommands(program: Command, globals: () => GlobalOptions): void {
  const traces = program.command('traces').description('read recorded model calls');
  traces
    .command('list')
    .description('newest first')
    .option('--model <model>')
    .option('--user <user>', 'end user')
    .option('--status <status>', 'ok or error')
    .option('--limit <n>', 'how many', '20')
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--json', 'print JSON')
    .action(async (options: ListOptions) => {
      if (options.status !== undefined && options.status !== 'ok' && options.status !== 'error')
        throw new Error('--status: expected ok or error');
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new Error('--limit: expected 1–500');
      const filter: TraceFilter = { limit };
      if (options.model) filter.model = options.model;
      if (options.user) filter.endUser = options.user;
      if (options.status) filter.status = options.status as 'ok' | 'error';
      if (options.cursor) filter.cursor = options.cursor;
      await withStore(globals(), async (store) => {
        const page = await store.traces.list(filter);
        if (options.json) return printJson(page);
        const rows = page.data.map((trace) => [
          trace.id,
          new Date(trace.created_at).toISOString(),
          trace.model,
          trace.status === 'ok' ? String(trace.http_status) : `${trace.http_status} ${trace.error_code ?? ''}`,
          `${Math.round(trace.latency_ms)}ms`,
          `${trace.input_tokens}/${trace.output_tokens}${trace.tokens_estimated ? '~' : ''}`,
          `$${trace.cost_usd.toFixed(6)}`,
        ]);
        print(table([['ID', 'TIME', 'MODEL', 'STATUS', 'LATENCY', 'TOKENS IN/OUT', 'COST'], ...rows]));
        if (page.next_cursor) print(`\nmore: fener traces list --cursor ${page.next_cursor}`);
      });
    });
  traces
    .command('show')
    .argument('<id>', 'trace id (trc_…)')
    .action(async (id: string) => {
      await withStore(globals(), async (store) => {
        const trace = await store.traces.get(id);
        if (!trace) throw new Error(`no trace with id "${id}"`);
        printJson(trace);
      });
    });
}
