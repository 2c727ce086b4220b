import type { Command } from 'commander';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';

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
            ['ID', 'NAME', 'CREATED'],
            ...list.map((project) => [project.id, project.name, new Date(project.createdAt).toISOString()]),
          ]),
        );
      });
    });
}
