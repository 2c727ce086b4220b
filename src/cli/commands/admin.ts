import type { Command } from 'commander';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';
import { addLimitFlags, describeLimits, limitUpdateFromFlags, type LimitFlags } from './keys.js';

/** `fener migrate` and `fener projects …`: database chores that need no running server. */
export function registerAdminCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      await withStore(globals(), async (store) => {
        const report = await store.migrate();
        print(report.applied.length === 0 ? `${store.dialect}: up to date` : `${store.dialect}: applied ${report.applied.join(', ')}`);
      });
    });

  const projects = program.command('projects').description('manage projects');
  projects
    .command('create')
    .argument('<name>', 'project name')
    .action(async (name: string) => {
      await withStore(globals(), async (store) => {
        const project = await store.projects.create(name);
        print(`created project "${project.name}" (${project.id})`);
      });
    });
  projects
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const list = await store.projects.list();
        if (options.json) return printJson(list);
        print(
          table([
            ['ID', 'NAME', 'CREATED', 'LIMITS', 'BUDGET'],
            ...list.map((project) => [project.id, project.name, new Date(project.createdAt).toISOString(), ...describeLimits(project)]),
          ]),
        );
      });
    });
  addLimitFlags(
    projects
      .command('update')
      .description("change a project's rate limits or budget (shared by all of its keys)")
      .argument('<name>', 'project name'),
    true,
  )
    .option('--json', 'print JSON')
    .action(async (name: string, options: LimitFlags & { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const existing = await store.projects.findByName(name);
        if (!existing) throw new Error(`project "${name}" does not exist`);
        const update = limitUpdateFromFlags(options, { update: true, ...(existing.budget ? { current: existing.budget } : {}) });
        if (update.limits === undefined && update.budget === undefined)
          throw new Error('nothing to change: give --rpm, --tpm, --budget-usd or --budget-period');
        const project = (await store.projects.update(name, update)) ?? existing;
        if (options.json) return printJson({ name: project.name, limits: project.limits, budget: project.budget ?? null });
        const [limits, budget] = describeLimits(project);
        print(`updated project "${name}": limits ${limits}, budget ${budget}`);
      });
    });
}
