/**
 * Read-only views of the registry and deployments. Changes go through `/api`, where the
 * project's policy is enforced against the running gateway's models and the actor is a key.
 */
import type { Command } from 'commander';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';

export function registerRegistryCommands(program: Command, globals: () => GlobalOptions): void {
  const registry = program.command('registry').description('the model registry and deployments (read-only; change them through /api)');

  registry
    .command('list')
    .description('registered models with their aliases')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const models = await store.registry.listModels();
        if (options.json) return printJson(models);
        const rows = models.map((model) => [
          model.name,
          model.latest_version === null ? '-' : `v${model.latest_version}`,
          Object.entries(model.aliases)
            .map(([alias, version]) => `${alias}=v${version}`)
            .join(', ') || '-',
        ]);
        print(table([['MODEL', 'LATEST', 'ALIASES'], ...rows]));
      });
    });

  registry
    .command('show')
    .description("a registered model's versions, lineage and evaluations")
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const model = await store.registry.getModel(name);
        const versions = await store.registry.listVersions(name);
        if (!model || !versions) throw new Error(`no registered model named "${name}"`);
        if (options.json) return printJson({ ...model, versions });
        const rows = versions.map((version) => [
          `v${version.version}`,
          version.kind,
          `${version.provider}/${version.upstream_model}`,
          version.licence ?? '-',
          version.fine_tuned_from ?? '-',
          version.evaluations.map((evaluation) => `${evaluation.name}.${evaluation.metric}=${evaluation.value}`).join(', ') || '-',
        ]);
        print(table([['VERSION', 'KIND', 'UPSTREAM', 'LICENCE', 'FROM', 'EVALUATIONS'], ...rows]));
      });
    });

  registry
    .command('deployments')
    .description('deployments, or one deployment with its versions')
    .argument('[name]')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        if (name !== undefined) {
          const deployment = await store.deployments.get(name);
          if (!deployment) throw new Error(`no deployment named "${name}"`);
          if (options.json) return printJson(deployment);
          const rows = deployment.versions.map((version) => [
            `v${version.version}${version.version === deployment.active_version ? ' *' : ''}`,
            version.status,
            version.model,
            version.prompt ?? '-',
            JSON.stringify(version.parameters),
            version.created_by,
            version.approved_by ?? '-',
          ]);
          return print(table([['VERSION', 'STATUS', 'MODEL', 'PROMPT', 'PARAMETERS', 'BY', 'APPROVED BY'], ...rows]));
        }
        const deployments = await store.deployments.list();
        if (options.json) return printJson(deployments);
        const rows = deployments.map((deployment) => {
          const active = deployment.versions.find((version) => version.version === deployment.active_version);
          const pending = deployment.versions.filter((version) => version.status === 'pending').length;
          return [deployment.name, active ? `v${active.version}` : '-', active?.model ?? '-', String(pending)];
        });
        print(table([['DEPLOYMENT', 'ACTIVE', 'MODEL', 'PENDING'], ...rows]));
      });
    });
}
