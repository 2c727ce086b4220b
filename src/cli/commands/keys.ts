import type { Command } from 'commander';
import { hashKey } from '../../store/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';

export function registerKeyCommands(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command('keys').description('manage virtual API keys');

  keys
    .command('create')
    .description('create a key for a project and print it once')
    .requiredOption('--name <name>', 'a name to recognise the key by')
    .option('--project <project>', 'project name', 'default')
    .option('--json', 'print JSON')
    .action(async (options: { name: string; project: string; json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const project = await store.projects.findByName(options.project);
        if (!project)
          throw new Error(`project "${options.project}" does not exist (create it with: fener projects create ${options.project})`);
        const { key, secret } = await store.keys.create({ projectId: project.id, name: options.name, kind: 'project' });
        if (options.json) return printJson({ id: key.id, project: project.name, name: key.name, key: secret });
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
        ]);
        print(table([['ID', 'PROJECT', 'NAME', 'KEY', 'CREATED', 'STATUS'], ...rows]));
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
