import type { Command } from 'commander';
import type { AuditFilter } from '../../store/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';

interface ListOptions {
  objectType?: string;
  objectId?: string;
  actor?: string;
  from?: string;
  to?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
}

function parseTime(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = /^[0-9]+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time)) throw new Error(`${flag}: expected epoch milliseconds or an ISO date, got "${value}"`);
  return time;
}

function filterFrom(options: ListOptions): AuditFilter {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error('--limit: expected 1–1000');
  const from = parseTime('--from', options.from);
  const to = parseTime('--to', options.to);
  return {
    limit,
    ...(options.objectType ? { objectType: options.objectType } : {}),
    ...(options.objectId ? { objectId: options.objectId } : {}),
    ...(options.actor ? { actor: options.actor } : {}),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(options.cursor ? { cursor: options.cursor } : {}),
  };
}

export function registerAuditCommands(program: Command, globals: () => GlobalOptions): void {
  const audit = program.command('audit').description('read and verify the hash-chained audit log');
  audit
    .command('list')
    .description('newest first')
    .option('--object-type <type>', 'model, model_version, alias, deployment, policy, …')
    .option('--object-id <id>')
    .option('--actor <key id>')
    .option('--from <time>', 'epoch ms or ISO date, inclusive')
    .option('--to <time>', 'epoch ms or ISO date, exclusive')
    .option('--limit <n>', 'how many', '50')
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--json', 'print JSON')
    .action(async (options: ListOptions) => {
      const filter = filterFrom(options);
      await withStore(globals(), async (store) => {
        const page = await store.audit.list(filter);
        if (options.json) return printJson(page);
        const rows = page.data.map((entry) => [
          String(entry.seq),
          new Date(entry.at).toISOString(),
          entry.actor,
          entry.action,
          `${entry.object_type}:${entry.object_id}`,
        ]);
        print(table([['SEQ', 'AT', 'ACTOR', 'ACTION', 'OBJECT'], ...rows]));
        if (page.next_cursor) process.stderr.write(`more: --cursor ${page.next_cursor}\n`);
      });
    });

  audit
    .command('verify')
    .description('walk the hash chain; exits 1 naming the first entry that does not match')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const result = await store.audit.verify();
        if (options.json) printJson(result);
        else if (result.ok) print(`ok: ${result.checked} entries, head ${result.head ?? '(empty log)'}`);
        else print(`broken at seq ${result.broken?.seq}: ${result.broken?.reason} (${result.checked} entries before it are intact)`);
        if (!result.ok) process.exitCode = 1;
      });
    });
}
