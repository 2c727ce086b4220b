import type { Command } from 'commander';
import { budgetPeriods, hashKey, type Budget, type BudgetPeriod, type LimitSettingsUpdate, type RateLimits } from '../../store/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';

/** The limit flags shared by `keys create|update` and `projects update`, as commander parses them. */
export interface LimitFlags {
  rpm?: string;
  tpm?: string;
  budgetUsd?: string;
  budgetPeriod?: string;
}

/** Adds `--rpm`, `--tpm`, `--budget-usd`, `--budget-period`; on updates `none` removes a setting. */
export function addLimitFlags(command: Command, update: boolean): Command {
  const none = update ? ', or "none" to remove it' : '';
  return command
    .option('--rpm <n>', `requests per minute${none}`)
    .option('--tpm <n>', `tokens per minute (input + output)${none}`)
    .option('--budget-usd <usd>', `spending cap in USD per budget period${none}`)
    .option('--budget-period <period>', `budget period: ${budgetPeriods.join(', ')} (UTC)`);
}

function parseRate(flag: string, value: string | undefined, update: boolean): number | null | undefined {
  if (value === undefined) return undefined;
  if (update && value === 'none') return null;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new Error(`${flag}: expected a positive whole number${update ? ' or "none"' : ''}, got "${value}"`);
  return number;
}

function parseBudget(flags: LimitFlags, current: Budget | undefined, update: boolean): Budget | null | undefined {
  const period = flags.budgetPeriod as BudgetPeriod | undefined;
  if (period !== undefined && !budgetPeriods.includes(period)) {
    throw new Error(`--budget-period: expected one of ${budgetPeriods.join(', ')}, got "${period}"`);
  }
  if (flags.budgetUsd === undefined) {
    if (period === undefined) return undefined;
    if (!current) throw new Error('--budget-period needs --budget-usd: there is no budget to change the period of');
    return { usd: current.usd, period };
  }
  if (update && flags.budgetUsd === 'none') return null;
  const usd = Number(flags.budgetUsd);
  if (!Number.isFinite(usd) || usd <= 0) throw new Error(`--budget-usd: expected a positive amount of USD, got "${flags.budgetUsd}"`);
  const chosen = period ?? current?.period;
  if (!chosen) throw new Error(`--budget-usd needs --budget-period (${budgetPeriods.join(', ')})`);
  return { usd, period: chosen };
}

/** The change the flags ask for; `current` lets `--budget-period` or `--budget-usd` alone keep the other half. */
export function limitUpdateFromFlags(flags: LimitFlags, options: { update: boolean; current?: Budget }): LimitSettingsUpdate {
  const update: LimitSettingsUpdate = {};
  const rpm = parseRate('--rpm', flags.rpm, options.update);
  const tpm = parseRate('--tpm', flags.tpm, options.update);
  if (rpm !== undefined || tpm !== undefined) {
    update.limits = { ...(rpm !== undefined ? { rpm } : {}), ...(tpm !== undefined ? { tpm } : {}) };
  }
  const budget = parseBudget(flags, options.current, options.update);
  if (budget !== undefined) update.budget = budget;
  return update;
}

/** The settings of a new key: the same flags, where `none` means nothing. */
function settingsFromFlags(flags: LimitFlags): { limits?: RateLimits; budget?: Budget } {
  const update = limitUpdateFromFlags(flags, { update: false });
  const limits: RateLimits = {};
  if (typeof update.limits?.rpm === 'number') limits.rpm = update.limits.rpm;
  if (typeof update.limits?.tpm === 'number') limits.tpm = update.limits.tpm;
  return { ...(update.limits ? { limits } : {}), ...(update.budget ? { budget: update.budget } : {}) };
}

/** "60 rpm, 10000 tpm" and "$5/day", for tables. */
export function describeLimits(settings: { limits?: RateLimits; budget?: Budget }): [string, string] {
  const rates = [
    settings.limits?.rpm === undefined ? '' : `${settings.limits.rpm} rpm`,
    settings.limits?.tpm === undefined ? '' : `${settings.limits.tpm} tpm`,
  ];
  const budget = settings.budget ? `$${settings.budget.usd}/${settings.budget.period}` : '-';
  return [rates.filter(Boolean).join(', ') || '-', budget];
}

export function registerKeyCommands(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command('keys').description('manage virtual API keys');

  addLimitFlags(
    keys
      .command('create')
      .description('create a key for a project and print it once')
      .requiredOption('--name <name>', 'a name to recognise the key by')
      .option('--project <project>', 'project name', 'default'),
    false,
  )
    .option('--json', 'print JSON')
    .action(async (options: LimitFlags & { name: string; project: string; json?: boolean }) => {
      const settings = settingsFromFlags(options);
      await withStore(globals(), async (store) => {
        const project = await store.projects.findByName(options.project);
        if (!project)
          throw new Error(`project "${options.project}" does not exist (create it with: fener projects create ${options.project})`);
        const { key, secret } = await store.keys.create({
          projectId: project.id,
          name: options.name,
          kind: 'project',
          ...settings,
        });
        if (options.json)
          return printJson({
            id: key.id,
            project: project.name,
            name: key.name,
            key: secret,
            limits: key.limits,
            budget: key.budget ?? null,
          });
        print(secret);
        process.stderr.write(`created ${key.id} in project "${project.name}"; the key is shown only now\n`);
      });
    });

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('--project <project>', 'only this project')
    .option('--all', 'include revoked keys')
    .option('--json', 'print JSON')
    .action(async (options: { project?: string; all?: boolean; json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const projects = new Map((await store.projects.list()).map((project) => [project.id as string, project.name]));
        const projectId = options.project === undefined ? undefined : (await store.projects.findByName(options.project))?.id;
        if (options.project !== undefined && projectId === undefined) throw new Error(`project "${options.project}" does not exist`);
        const list = await store.keys.list({ kind: 'project', includeRevoked: options.all === true, ...(projectId ? { projectId } : {}) });
        if (options.json) return printJson(list);
        const rows = list.map((key) => [
          key.id,
          projects.get(key.projectId ?? '') ?? '',
          key.name,
          key.hint,
          new Date(key.createdAt).toISOString(),
          key.revokedAt ? 'revoked' : 'active',
          ...describeLimits(key),
        ]);
        print(table([['ID', 'PROJECT', 'NAME', 'KEY', 'CREATED', 'STATUS', 'LIMITS', 'BUDGET'], ...rows]));
      });
    });

  addLimitFlags(
    keys
      .command('update')
      .description("change a key's rate limits or budget; running servers apply it within a second")
      .argument('<id>', 'key id (key_…)'),
    true,
  )
    .option('--json', 'print JSON')
    .action(async (id: string, options: LimitFlags & { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const existing = await store.keys.get(id);
        if (!existing || existing.kind !== 'project') throw new Error(`no key with id "${id}"`);
        const update = limitUpdateFromFlags(options, { update: true, ...(existing.budget ? { current: existing.budget } : {}) });
        if (update.limits === undefined && update.budget === undefined)
          throw new Error('nothing to change: give --rpm, --tpm, --budget-usd or --budget-period');
        const key = (await store.keys.update(id, update)) ?? existing;
        if (options.json) return printJson({ id: key.id, limits: key.limits, budget: key.budget ?? null });
        const [limits, budget] = describeLimits(key);
        print(`updated ${id}: limits ${limits}, budget ${budget}`);
      });
    });

  keys
    .command('revoke')
    .description('revoke a key; every running process refuses it from then on')
    .argument('<id>', 'key id (key_…)')
    .action(async (id: string) => {
      await withStore(globals(), async (store) => {
        const existing = await store.keys.get(id);
        if (!existing || existing.kind !== 'project') throw new Error(`no key with id "${id}"`);
        await store.keys.revoke(id);
        print(`revoked ${id}`);
      });
    });

  keys
    .command('check')
    .description('check whether a key is valid and not revoked')
    .argument('<key>', 'the secret key')
    .action(async (secret: string) => {
      await withStore(globals(), async (store) => {
        const key = await store.keys.findBySecret(secret);
        print(key && key.revokedAt === null ? `valid: ${key.id} (${key.name})` : `invalid (hash ${hashKey(secret).slice(0, 12)}…)`);
        if (!key || key.revokedAt !== null) process.exitCode = 1;
      });
    });
}
