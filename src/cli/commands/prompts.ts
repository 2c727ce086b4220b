import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  diffPrompts,
  formatDiff,
  formatOfPath,
  getPrompt,
  labelPattern,
  promptFileText,
  pullDirectory,
  pushDirectory,
  pushPrompt,
  readPromptFile,
  type VersionSelector,
} from '../../prompts/index.js';
import type { LabelMove } from '../../store/index.js';
import { print, printJson, table, withStore, type GlobalOptions } from '../shared.js';

/** Who changed a label, in its history: the local user running the CLI. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:${process.env.USER ?? 'unknown'}`;
  }
}

function parseVersion(flag: string, value: string): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1) throw new Error(`${flag}: expected a version number (1, 2, …), got "${value}"`);
  return version;
}

/** `3` is a version, `production` a label. */
function parseSelector(value: string): VersionSelector {
  if (/^[0-9]+$/.test(value)) return { version: parseVersion('version', value) };
  if (!labelPattern.test(value)) throw new Error(`"${value}" is neither a version number nor a label`);
  return { label: value };
}

function selectorOf(options: { label?: string; version?: string }): VersionSelector {
  if (options.label !== undefined && options.version !== undefined) throw new Error('give --label or --version, not both');
  return options.version === undefined ? { label: options.label } : { version: parseVersion('--version', options.version) };
}

function describeMove(move: LabelMove): string {
  return `${move.label}: ${move.fromVersion === null ? '(new)' : `v${move.fromVersion}`} → v${move.toVersion}`;
}

/**
 * `fener prompts … --version 3`: commander hands `--version` to the root program (which prints
 * Fener's version) wherever it appears, but passes `--version=3` on to the subcommand. So after
 * `prompts`, `--version N` is rewritten to that form.
 */
export function promptVersionArgs(argv: string[]): string[] {
  const start = argv.indexOf('prompts');
  if (start < 0) return argv;
  const out = argv.slice(0, start + 1);
  for (let index = start + 1; index < argv.length; index++) {
    const next = argv[index + 1];
    if (argv[index] === '--version' && next !== undefined && /^[0-9]+$/.test(next)) {
      out.push(`--version=${next}`);
      index++;
    } else {
      out.push(argv[index] ?? '');
    }
  }
  return out;
}

export function registerPromptCommands(program: Command, globals: () => GlobalOptions): void {
  const prompts = program.command('prompts').description('versioned prompt templates, labels and prompts as code');

  prompts
    .command('push')
    .description('push a prompt file (YAML, or Markdown with front matter) as a new version unless unchanged')
    .argument('<file>', 'a .md, .yaml or .yml file')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const input = readPromptFile(file);
      await withStore(globals(), async (store) => {
        const result = await pushPrompt(store, input, cliActor());
        if (options.json)
          return printJson({ name: input.name, version: result.version.version, created: result.created, moves: result.moves });
        print(`${input.name}: ${result.created ? 'created' : 'unchanged,'} v${result.version.version}`);
        for (const move of result.moves) print(`  ${describeMove(move)}`);
      });
    });

  prompts
    .command('pull')
    .description('write a version to a file (or stdout) in the format push reads')
    .argument('<name>')
    .option('--label <label>', 'the version a label points at (default production)')
    .option('--version <n>', 'a version number')
    .option('--out <file>', 'write here (.md or .yaml) instead of printing Markdown')
    .action(async (name: string, options: { label?: string; version?: string; out?: string }) => {
      const selector = selectorOf(options);
      await withStore(globals(), async (store) => {
        const prompt = await getPrompt(store, name, selector);
        const text = await promptFileText(store, prompt, options.out === undefined ? 'markdown' : formatOfPath(options.out));
        if (options.out === undefined) return process.stdout.write(text);
        writeFileSync(options.out, text);
        process.stderr.write(`wrote ${name} v${prompt.version} to ${options.out}\n`);
      });
    });

  prompts
    .command('list')
    .description('prompts with their latest version and labels')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(globals(), async (store) => {
        const list = await store.prompts.list();
        if (options.json) return printJson(list);
        const rows = list.map((prompt) => [
          prompt.name,
          `v${prompt.latestVersion}`,
          Object.entries(prompt.labels)
            .map(([label, version]) => `${label}=v${version}`)
            .join(', ') || '-',
          new Date(prompt.updatedAt).toISOString(),
        ]);
        print(table([['NAME', 'LATEST', 'LABELS', 'UPDATED'], ...rows]));
      });
    });

  prompts
    .command('show')
    .description("a prompt's versions and labels; with --version or --label, that version's content")
    .argument('<name>')
    .option('--version <n>', 'show this version')
    .option('--label <label>', 'show the version this label points at')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { version?: string; label?: string; json?: boolean }) => {
      await withStore(globals(), async (store) => {
        if (options.version !== undefined || options.label !== undefined) {
          const prompt = await getPrompt(store, name, selectorOf(options));
          if (options.json) return printJson(prompt);
          print(
            `# ${name} v${prompt.version} (${prompt.contentHash}, by ${prompt.createdBy}, ${new Date(prompt.createdAt).toISOString()})`,
          );
          return process.stdout.write(await promptFileText(store, prompt, 'markdown'));
        }
        const detail = await store.prompts.get(name);
        if (!detail) throw new Error(`no prompt named "${name}"`);
        if (options.json) return printJson(detail);
        const labelsAt = (version: number): string =>
          Object.entries(detail.labels)
            .filter(([, target]) => target === version)
            .map(([label]) => label)
            .join(', ');
        const rows = detail.versions.map((version) => [
          `v${version.version}`,
          labelsAt(version.version) || '-',
          version.contentHash.slice(0, 19),
          version.createdBy,
          new Date(version.createdAt).toISOString(),
        ]);
        print(table([['VERSION', 'LABELS', 'HASH', 'BY', 'CREATED'], ...rows]));
      });
    });

  prompts
    .command('diff')
    .description('line diff between two versions (numbers or labels)')
    .argument('<name>')
    .argument('<from>', 'version number or label')
    .argument('<to>', 'version number or label')
    .action(async (name: string, from: string, to: string) => {
      await withStore(globals(), async (store) => {
        const before = await getPrompt(store, name, parseSelector(from));
        const after = await getPrompt(store, name, parseSelector(to));
        print(formatDiff(diffPrompts(before.content, after.content), `--- ${name}@${before.version}\n+++ ${name}@${after.version}`));
      });
    });

  prompts
    .command('label')
    .description('point a label at a version, or roll it back to its previous version; every move is recorded')
    .argument('<name>')
    .argument('<label>')
    .option('--version <n>', 'the version to point at')
    .option('--rollback', 'move back to the version before the last move')
    .option('--history', 'print the moves of this label instead')
    .action(async (name: string, label: string, options: { version?: string; rollback?: boolean; history?: boolean }) => {
      if (!labelPattern.test(label)) throw new Error(`label "${label}": must start with a lower-case letter, then a-z, 0-9, "_" or "-"`);
      const chosen = [options.version !== undefined, options.rollback === true, options.history === true].filter(Boolean).length;
      if (chosen !== 1) throw new Error('give exactly one of --version N, --rollback or --history');
      await withStore(globals(), async (store) => {
        if (options.history) {
          const moves = await store.prompts.labelHistory(name, label);
          const rows = moves.map((move) => [new Date(move.at).toISOString(), describeMove(move), move.actor]);
          return print(table([['WHEN', 'MOVE', 'BY'], ...rows]));
        }
        const actor = cliActor();
        const move = options.rollback
          ? await store.prompts.rollbackLabel({ name, label, actor })
          : await store.prompts.setLabel({ name, label, version: parseVersion('--version', options.version ?? ''), actor });
        print(move ? `${name} ${describeMove(move)}` : `${name} ${label}: already at v${options.version}`);
      });
    });

  prompts
    .command('sync')
    .description('prompts as code: push every changed prompt file in a directory, or with --pull write every production version')
    .argument('<dir>')
    .option('--pull', 'write files from the store instead')
    .option('--json', 'print JSON')
    .action(async (dir: string, options: { pull?: boolean; json?: boolean }) => {
      await withStore(globals(), async (store) => {
        if (options.pull) {
          const pulled = await pullDirectory(store, dir);
          if (options.json) return printJson(pulled);
          for (const file of pulled) print(`${file.path}: ${file.name} v${file.version}${file.written ? ' written' : ' unchanged'}`);
          return;
        }
        const pushed = await pushDirectory(store, dir, cliActor());
        if (options.json) return printJson(pushed);
        for (const file of pushed) {
          const moves = file.moves.map(describeMove).join('; ');
          print(`${file.path}: ${file.name} ${file.created ? 'created' : 'unchanged,'} v${file.version}${moves ? ` (${moves})` : ''}`);
        }
      });
    });
}
